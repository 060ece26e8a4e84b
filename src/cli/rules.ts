// `bounce-triage rules check [--config FILE] [FILE...]`: validates every rule pack (shipped, the
// operator's rules.files, and any files named here, loaded first), replays every sample through
// the whole engine, and reports rules that can never fire on their own samples or that an earlier
// rule shadows. An operator rule that takes over a shipped rule is reported as an override (that
// is its purpose), not as a failure. Exit 0 when everything fires, 1 otherwise.
import { parseArgs } from 'node:util';
import { checkRuleSamples, loadRuleSet, type RuleSet, shippedRuleFiles } from '../classify/index.js';
import { loadConfig } from '../config/load.js';

export async function runRules(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'check') {
    process.stderr.write('bounce-triage rules: usage: rules check [--config FILE] [RULE-FILE...]\n');
    return 2;
  }
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true, options: { config: { type: 'string' } } });
  const config = loadConfig({ file: values.config, env: process.env });
  const shipped = shippedRuleFiles();
  const operator = [...positionals, ...config.rules.files];
  const rules = loadRuleSet([...operator, ...shipped]);
  const result = checkRules(rules, new Set(shipped));
  const lines = [
    `rule packs: ${rules.files.length} files (${operator.length} operator, ${shipped.length} shipped), ${rules.rules.length} rules, ${result.samples} samples, ${rules.providers.length} provider detectors`,
    `by level: ${Object.entries(result.byLevel).map(([l, n]) => `${l} ${n}`).join(', ')}`,
  ];
  for (const f of result.failures) lines.push(`FAIL ${f}`);
  for (const o of result.overrides) lines.push(`override ${o}`);
  lines.push(result.failures.length === 0
    ? 'ok: every rule matches each of its samples and each sample classifies to its rule'
    : `${result.failures.length} problem(s): rules that cannot fire on their own samples or are shadowed by an earlier rule`);
  out.write(lines.join('\n') + '\n');
  return result.failures.length === 0 ? 0 : 1;
}

export interface RulesCheck {
  samples: number;
  byLevel: Record<string, number>;
  failures: string[];
  overrides: string[];
}

/** Pure part of the command (tested directly): what fires, what is shadowed, what is overridden. */
export function checkRules(rules: RuleSet, shippedFiles: ReadonlySet<string>): RulesCheck {
  const byId = new Map(rules.rules.map(r => [r.id, r]));
  const byLevel: Record<string, number> = {};
  for (const r of rules.rules) byLevel[r.level] = (byLevel[r.level] ?? 0) + 1;
  const failures: string[] = [];
  const overrides: string[] = [];
  for (const f of checkRuleSamples(rules)) {
    const winner = byId.get(f.got);
    const owner = byId.get(f.rule);
    const overridden = f.problem === 'shadowed' && winner && owner && shippedFiles.has(owner.file) && !shippedFiles.has(winner.file);
    const line = `${f.rule}: sample ${JSON.stringify(f.sample.slice(0, 100))} ${f.problem === 'shadowed' ? 'classifies to' : 'does not match its rule; classifies to'} ${f.got}`;
    (overridden ? overrides : failures).push(overridden ? `${line} (operator file ${winner.file})` : line);
  }
  return { samples: rules.rules.reduce((n, r) => n + r.samples.length, 0), byLevel, failures, overrides };
}
