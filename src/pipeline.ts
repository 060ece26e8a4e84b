// The stage order, in code (DESIGN.md): parse → classify → policy → store, one message at a time.
// Every ingest path (SMTP today, HTTP and replay later) calls processMessage, so they all get
// the same semantics: committed means answered, unreadable means quarantined, never lost.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { classify, type RuleSet } from './classify/index.js';
import type { BounceReport, ParseOptions } from './domain/report.js';
import type { IncomingMessage } from './domain/state.js';
import { parseReport } from './parse/index.js';
import { afterCommit, planFrom } from './apply.js';
import { decide, historyRequest, type PolicyConfig, type PolicyItem, type PolicyOutcome } from './policy/index.js';
import { domainOf } from './policy/stream.js';
import type { Metrics } from './sinks/metrics.js';
import type { Store } from './store/store.js';
import { streamOf, type StreamOptions } from './stream-id.js';

export interface PipelineDeps {
  store: Store;
  rules: RuleSet;
  policy: PolicyConfig;
  parse: ParseOptions;
  stream: StreamOptions;
  now: () => Date;
  logger: Logger;
  metrics?: Metrics;
  /** Called after a commit that queued webhook events (wakes the outbox relay). */
  onOutbox?: () => void;
}

export interface Envelope {
  from: string;
  to: string[];
  remoteAddress: string | null;
}

export interface ProcessResult {
  outcome: 'accepted' | 'duplicate' | 'quarantined';
  messageId: number;
  report: BounceReport;
  items: PolicyItem[];
  policy?: PolicyOutcome;
}

export async function processMessage(deps: PipelineDeps, raw: Buffer, envelope: Envelope): Promise<ProcessResult> {
  const now = deps.now();
  const report = await parseSafely(raw, deps.parse);
  const msg: IncomingMessage = {
    key: createHash('sha256').update(raw).digest('hex'),
    raw, envelopeFrom: envelope.from, envelopeTo: envelope.to, remoteAddress: envelope.remoteAddress,
    receivedAt: now.toISOString(), kind: report.kind,
  };
  const log = deps.logger.child({ key: msg.key.slice(0, 16), kind: report.kind });

  if (report.kind === 'not_bounce') {
    // Not something we can act on: keep it (raw) for a human or a later parser, answer 250.
    const r = await deps.store.quarantine(msg, report.why ?? 'not a bounce');
    deps.metrics?.messages.inc({ result: r.duplicate ? 'duplicate' : 'quarantined' });
    deps.metrics?.kinds.inc({ kind: report.kind });
    if (!r.duplicate) deps.metrics?.parseFailures.inc({ why: failureKind(report.why) });
    log.warn({ why: report.why, notes: report.notes, size: raw.length, messageId: r.messageId }, 'message quarantined');
    return { outcome: r.duplicate ? 'duplicate' : 'quarantined', messageId: r.messageId, report, items: [] };
  }

  const items: PolicyItem[] = report.records.map(record => ({ record, verdict: classify(record, report, deps.rules) }));
  const stream = streamOf(report, envelope.to, deps.stream);
  let outcome: PolicyOutcome | undefined;
  const request = {
    recipients: [...new Set(items.map(i => i.record.recipient))],
    domains: [...new Set(items.map(i => domainOf(i.record.recipient)))],
    stream, ...historyRequest(now, deps.policy),
  };
  const result = await deps.store.commitMessage(msg, request, snapshot => {
    outcome = decide({ messageKey: msg.key, stream, items, snapshot, now, report }, deps.policy);
    return planFrom(outcome, { cause: msg.key, stream, original: report.original, reportMessageId: report.header.messageId });
  });

  if (result.duplicate) {
    deps.metrics?.messages.inc({ result: 'duplicate' });
    log.info({ messageId: result.messageId }, 'duplicate message ignored (already committed)');
    return { outcome: 'duplicate', messageId: result.messageId, report, items };
  }
  count(deps, report, items);
  log.info({
    messageId: result.messageId, stream, generator: report.generator,
    verdicts: items.map(({ record, verdict }) => ({
      recipient: record.recipient, action: record.action, status: record.status, reason: verdict.reason,
      side: verdict.side, detail: verdict.detail, provider: verdict.provider, rule: verdict.rule,
    })),
    transitions: outcome ? [...outcome.recipientChanges, ...outcome.domainChanges, ...outcome.streamChanges]
      .map(c => `${c.decision.subject} ${c.decision.key}: ${c.decision.from}→${c.decision.to} (${c.decision.policyRule})`) : undefined,
    notes: report.notes.length > 0 ? report.notes : undefined,
  }, 'message processed');
  afterCommit(deps, outcome);
  return { outcome: 'accepted', messageId: result.messageId, report, items, policy: outcome };
}

/** parseReport promises never to throw; if a bug breaks that promise, quarantine, don't 451 forever. */
async function parseSafely(raw: Buffer, opts: ParseOptions): Promise<BounceReport> {
  try {
    return await parseReport(raw, opts);
  } catch (err) {
    return {
      kind: 'not_bounce', bounce: false, why: `parser error: ${(err as Error).message}`, messageFields: {},
      header: {}, records: [], original: {}, notes: [String((err as Error).stack ?? err)],
    };
  }
}


function count(deps: PipelineDeps, report: BounceReport, items: PolicyItem[]): void {
  const m = deps.metrics;
  if (!m) return;
  m.messages.inc({ result: 'accepted' });
  const positive = items.length > 0 && items.every(i => i.record.action === 'delivered' || i.record.action === 'relayed');
  m.kinds.inc({ kind: report.kind === 'dsn' && positive ? 'delivered' : report.kind });
  for (const { record, verdict } of items) {
    const domain = domainOf(record.recipient);
    m.bounces.inc({ provider: verdict.provider, reason: verdict.reason, side: verdict.side });
    if (verdict.family !== 'other' && verdict.providerBy !== 'domain') m.providers.learn(domain, verdict.provider);
    if (record.action === 'delivered' && report.kind === 'dsn') {
      m.deliveries.inc({ provider: m.providers.of(domain), recipient_domain: m.domains.label(domain), source: 'dsn' });
    }
    if (record.action !== 'failed') continue;
    if (verdict.level === 'fallback') m.unclassified.inc({ provider: verdict.provider });
    if (verdict.family === 'microsoft') {
      m.microsoft.inc({ provider: verdict.provider, recipient_domain: m.domains.label(domain), enhanced_code: m.code(record.status), side: verdict.side });
    }
  }
}

/** A bounded label for why a message held no bounce we could read (report.why is free text). */
export function failureKind(why: string | undefined): string {
  if (!why) return 'no_recipient';
  if (/^empty/.test(why)) return 'empty';
  if (/not an e-mail|no header/.test(why)) return 'not_email';
  if (/parser (error|failed)|unreadable/.test(why)) return 'parser_error';
  if (/looks like a bounce/.test(why)) return 'no_recipient';
  return 'unknown_layout';
}
