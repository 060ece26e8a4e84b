// Renders config/default.yaml from the schema, so the documented defaults can never drift from
// the real ones (a test compares the committed file with this output; regenerate with
// `bounce-triage config --defaults > config/default.yaml`).
import YAML from 'yaml';
import { schema } from './schema.js';
import { envName, isSpec, type Spec, type SpecTree } from './spec.js';

export function renderDefaultsYaml(): string {
  const lines = [
    '# bounce-triage configuration: every setting with its default value.',
    '# Override with `bounce-triage serve --config FILE` (same layout, any subset of keys) or with',
    '# environment variables named after the key path, e.g. smtp.port -> BOUNCE_TRIAGE_SMTP_PORT',
    '# (lists are comma-separated there). Durations: 500ms, 15s, 5m, 2h, 30d.',
    '# Generated from src/config/schema.ts by `bounce-triage config --defaults`; do not edit by hand.',
    '',
  ];
  render(schema, [], 0, lines);
  return lines.join('\n') + '\n';
}

function render(tree: SpecTree, path: string[], depth: number, lines: string[]): void {
  const pad = '  '.repeat(depth);
  for (const [key, node] of Object.entries(tree)) {
    if (isSpec(node)) {
      lines.push(`${pad}# ${node.doc} [${envName([...path, key])}]`);
      lines.push(`${pad}${key}: ${scalar(node)}`);
    } else {
      if (depth === 0 && lines[lines.length - 1] !== '') lines.push('');
      lines.push(`${pad}${key}:`);
      render(node, [...path, key], depth + 1, lines);
    }
  }
}

function scalar(spec: Spec): string {
  if (spec.type === 'list') return spec.default.length === 0 ? '[]' : `[${spec.default.map(v => YAML.stringify(v).trim()).join(', ')}]`;
  if (spec.type === 'string') return spec.default === '' ? "''" : YAML.stringify(spec.default).trim();
  return String(spec.default);
}
