// `bounce-triage config`: print the documented defaults (the source of config/default.yaml) or
// the effective configuration after --config and BOUNCE_TRIAGE_* (secrets redacted), so an
// operator can see what the daemon will run with before starting it.
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { renderDefaultsYaml } from '../config/defaults-yaml.js';
import { loadConfig, redactConfig } from '../config/load.js';

export async function runConfig(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseArgs({
    args, strict: true,
    options: { defaults: { type: 'boolean', default: false }, print: { type: 'boolean', default: false }, config: { type: 'string' } },
  });
  if (values.defaults) {
    out.write(renderDefaultsYaml());
    return 0;
  }
  if (values.print) {
    const config = loadConfig({ file: values.config, env: process.env });
    out.write(YAML.stringify(redactConfig(config)));
    return 0;
  }
  process.stderr.write('bounce-triage config: use --defaults or --print [--config FILE]\n');
  return 2;
}
