// Operator commands that work on the store directly (the daemon need not run; SQLite in WAL mode
// lets them run beside it, and the daemon's relay delivers the webhooks they queue):
//   state <address>        the recipient's state, why, and its latest decisions
//   evidence <address>     the evidence pack of its latest failure (--json for JSON)
//   override <address> --state S --actor NAME --why TEXT [--until ISO]
//   replay <file|dir|mbox> feed stored bounces through the pipeline (progress bar on a TTY)
import { parseArgs } from 'node:util';
import pino from 'pino';
import { applyOverride, type ApplyDeps, normaliseAddress } from '../apply.js';
import { loadRuleSet, shippedRuleFiles } from '../classify/index.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { policyConfig, streamOptions } from '../daemon.js';
import { AppError } from '../errors.js';
import { readMessages } from '../ingest/files.js';
import { processMessage, type PipelineDeps } from '../pipeline.js';
import { renderEvidenceText } from '../policy/evidence.js';
import { effectiveState } from '../policy/recipient.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';

type Out = NodeJS.WritableStream & { isTTY?: boolean };

async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openSqliteStore({ path: config.store.sqlitePath });
  await store.init();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

type Options = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

function parse(args: string[], options: Options = {}) {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { config: { type: 'string' }, ...options } });
  const v = values as Record<string, string | boolean | undefined>;
  const config = loadConfig({ file: typeof v.config === 'string' ? v.config : undefined, env: process.env });
  return { values: v, positionals, config };
}

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new AppError('INVALID_REQUEST', `give exactly one ${what}`);
  return positionals[0] as string;
}

export async function runState(args: string[], out: Out = process.stdout): Promise<number> {
  const { positionals, config } = parse(args);
  const address = normaliseAddress(one(positionals, 'address'));
  return withStore(config, async store => {
    const row = await store.getRecipient(address);
    if (!row) {
      out.write(`${address}: active (never bounced)\n`);
      return 0;
    }
    const { decisions } = await store.recipientHistory(address, 10);
    const now = effectiveState(row, new Date());
    out.write([
      `${address}: ${row.state}${now !== row.state ? ` (effectively ${now}: retest time passed)` : ''}${row.retestAt ? ` until ${row.retestAt}` : ''}`,
      `  since ${row.since} by ${row.policyRule ?? '-'}; verdict ${row.reason ?? '-'} / ${row.side ?? '-'}${row.detail ? ` / ${row.detail}` : ''} (rule ${row.rule ?? '-'})`,
      '  decisions (newest first):',
      ...decisions.map(d => `    ${d.at}  ${d.from} → ${d.to}  ${d.policyRule}${d.actor ? ` by ${d.actor}` : ''}: ${d.why}`),
    ].join('\n') + '\n');
    return 0;
  });
}

export async function runEvidence(args: string[], out: Out = process.stdout): Promise<number> {
  const { values, positionals, config } = parse(args, { json: { type: 'boolean', default: false } });
  const address = normaliseAddress(one(positionals, 'address'));
  return withStore(config, async store => {
    const { events } = await store.recipientHistory(address, 50);
    const e = (events.find(x => x.evidence && x.action === 'failed') ?? events.find(x => x.evidence))?.evidence;
    if (!e) throw new AppError('NOT_FOUND', `no evidence stored for ${address}`);
    out.write(values.json ? JSON.stringify(e, null, 2) + '\n' : renderEvidenceText(e) + '\n');
    return 0;
  });
}

export async function runOverride(args: string[], out: Out = process.stdout): Promise<number> {
  const { values, positionals, config } = parse(args, {
    state: { type: 'string' }, actor: { type: 'string' }, why: { type: 'string' }, until: { type: 'string' },
  });
  const address = one(positionals, 'address');
  return withStore(config, async store => {
    const deps: ApplyDeps = { store, policy: policyConfig(config), now: () => new Date(), logger: pino({ level: 'silent' }) };
    const outcome = await applyOverride(deps, {
      address, state: String(values.state ?? ''), actor: String(values.actor ?? ''), why: String(values.why ?? ''),
      ...(values.until ? { until: String(values.until) } : {}),
    });
    const d = outcome.recipientChanges[0]?.decision;
    out.write(`${d?.key}: ${d?.from} → ${d?.to} (${d?.actor}); the webhook is queued for the daemon's relay\n`);
    return 0;
  });
}

export async function runReplay(args: string[], out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  const { positionals, config } = parse(args);
  if (positionals.length === 0) throw new AppError('INVALID_REQUEST', 'give a file, a directory or an mbox to replay');
  const rules = loadRuleSet([...config.rules.files, ...shippedRuleFiles()]);
  let total = 0;
  if (err.isTTY) for (const p of positionals) for await (const _ of readMessages(p)) total += 1;
  return withStore(config, async store => {
    const deps: PipelineDeps = {
      store, rules, policy: policyConfig(config), parse: { streamHeader: config.parse.streamHeader }, stream: streamOptions(config),
      now: () => new Date(), logger: pino({ level: 'silent' }),
    };
    const counts: Record<string, number> = { accepted: 0, duplicate: 0, quarantined: 0 };
    let done = 0;
    const started = Date.now();
    for (const p of positionals) {
      for await (const m of readMessages(p)) {
        const r = await processMessage(deps, m.raw, { from: '', to: [], remoteAddress: null });
        counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
        done += 1;
        if (err.isTTY && (done % 25 === 0 || done === total)) err.write(`\r${bar(done, total)} ${done}/${total}`);
      }
    }
    if (err.isTTY) err.write('\n');
    const seconds = (Date.now() - started) / 1000;
    out.write(`replayed ${done} messages in ${seconds.toFixed(1)} s: ${counts.accepted} accepted, ${counts.duplicate} duplicate (already stored), ${counts.quarantined} quarantined\n`);
    return 0;
  });
}

function bar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
