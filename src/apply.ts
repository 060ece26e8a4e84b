// The non-message paths into the store, each one transaction with the same shape as a DSN's:
// reported deliveries, operator overrides, and the periodic sweep of time-based transitions.
// Policy decides (pure), the payload builder writes the webhook bodies, the store commits both.
import type { Logger } from 'pino';
import type { NewDelivery, Plan } from './domain/state.js';
import { AppError } from './errors.js';
import { historyRequest, type PolicyConfig, type PolicyOutcome } from './policy/index.js';
import { decideOverride, type OverrideRequest } from './policy/override.js';
import { domainOf } from './policy/stream.js';
import { decideDeliveries } from './policy/success.js';
import { decideSweep } from './policy/sweep.js';
import type { Metrics } from './sinks/metrics.js';
import { outboxRows, type PayloadContext } from './sinks/webhook-payload.js';
import type { Store } from './store/store.js';

export interface ApplyDeps {
  store: Store;
  policy: PolicyConfig;
  now: () => Date;
  logger: Logger;
  metrics?: Metrics;
  onOutbox?: () => void;
}

/** Everything one outcome writes: its rows, its decisions, and a webhook per transition. */
export function planFrom(outcome: PolicyOutcome, ctx: PayloadContext): Plan {
  return {
    events: outcome.events, recipients: outcome.recipients, domains: outcome.domains, streams: outcome.streams,
    decisions: [...outcome.recipientChanges, ...outcome.domainChanges, ...outcome.streamChanges].map(c => c.decision),
    outbox: outboxRows(ctx, outcome),
  };
}

/** Metrics and relay wake-up after a committed outcome. */
export function afterCommit(deps: Pick<ApplyDeps, 'metrics' | 'onOutbox'>, outcome: PolicyOutcome | undefined): void {
  if (!outcome) return;
  for (const c of outcome.recipientChanges) deps.metrics?.transitions.inc({ from: c.decision.from, to: c.decision.to });
  deps.metrics?.escalations.inc(outcome.streamChanges.filter(c => c.row.state === 'escalate').length);
  if (outcome.recipientChanges.length + outcome.streamChanges.length + outcome.domainChanges.length > 0) deps.onOutbox?.();
}

export interface DeliveryInput { recipient: string; at?: string; stream?: string }

/** POST /v1/deliveries: success evidence for the intermittent rule and rejection-rate denominators. */
export async function applyDeliveries(deps: ApplyDeps, input: DeliveryInput[]): Promise<PolicyOutcome | undefined> {
  const now = deps.now();
  const problems: string[] = [];
  const deliveries: NewDelivery[] = input.map((d, i) => {
    const recipient = typeof d.recipient === 'string' ? normaliseAddress(d.recipient) : '';
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(recipient)) problems.push(`[${i}].recipient: not an e-mail address`);
    const at = d.at === undefined ? now.getTime() : Date.parse(d.at);
    if (!Number.isFinite(at)) problems.push(`[${i}].at: not an ISO-8601 time`);
    else if (at > now.getTime() + 300_000) problems.push(`[${i}].at: in the future`);
    return { recipient, recipientDomain: domainOf(recipient), stream: d.stream ?? 'unknown', at: new Date(Number.isFinite(at) ? at : 0).toISOString() };
  });
  if (problems.length) throw new AppError('INVALID_REQUEST', 'invalid deliveries', problems);
  let outcome: PolicyOutcome | undefined;
  const recipients = [...new Set(deliveries.map(d => d.recipient))];
  await deps.store.commitDeliveries(deliveries, { recipients, stream: '', ...historyRequest(now, deps.policy) }, snap => {
    outcome = decideDeliveries(deliveries, snap, now, deps.policy);
    return planFrom(outcome, { cause: `deliveries:${now.toISOString()}:${recipients.join(',')}` });
  });
  const m = deps.metrics;
  for (const d of deliveries) m?.deliveries.inc({ provider: m.providers.of(d.recipientDomain), recipient_domain: m.domains.label(d.recipientDomain), source: 'api' });
  afterCommit(deps, outcome);
  return outcome;
}

export async function applyOverride(deps: ApplyDeps, req: OverrideRequest): Promise<PolicyOutcome> {
  const now = deps.now();
  const address = normaliseAddress(req.address);
  let outcome: PolicyOutcome | undefined;
  await deps.store.commitPlan({ recipients: [address], stream: '', ...historyRequest(now, deps.policy) }, snap => {
    outcome = decideOverride({ ...req, address }, snap.recipients.get(address)?.row, now);
    return planFrom(outcome, { cause: `override:${now.toISOString()}:${address}` });
  });
  deps.logger.info({ recipient: address, state: req.state, actor: req.actor }, 'recipient state overridden');
  afterCommit(deps, outcome);
  return outcome as PolicyOutcome;
}

/** Applies every due time-based transition; returns how many transitions were made. */
export async function runSweep(deps: ApplyDeps, limit = 500): Promise<number> {
  const now = deps.now();
  const due = await deps.store.dueForSweep(now, limit);
  if (due.recipients.length + due.domains.length + due.streams.length === 0) return 0;
  let outcome: PolicyOutcome | undefined;
  const request = { recipients: due.recipients.map(r => r.address), domains: due.domains.map(d => d.domain), stream: '', ...historyRequest(now, deps.policy) };
  await deps.store.commitPlan(request, snap => {
    // Decide on the rows as they are inside the transaction: a bounce may have re-paused one since.
    const fresh = {
      recipients: due.recipients.flatMap(r => snap.recipients.get(r.address)?.row ?? []),
      domains: due.domains.flatMap(d => snap.domains.get(d.domain) ?? []),
      streams: due.streams,
    };
    outcome = decideSweep(fresh, now, deps.policy);
    return planFrom(outcome, { cause: `sweep:${now.toISOString()}` });
  });
  const n = outcome ? outcome.recipientChanges.length + outcome.domainChanges.length + outcome.streamChanges.length : 0;
  if (n > 0) deps.logger.info({ transitions: n }, 'time-based transitions applied');
  afterCommit(deps, outcome);
  return n;
}

/** Addresses are keyed with a lower-cased domain (the local part may be case-sensitive, RFC 5321 §2.4). */
export function normaliseAddress(address: string): string {
  const a = address.trim().replace(/^<|>$/g, '');
  const at = a.lastIndexOf('@');
  return at < 0 ? a : a.slice(0, at) + a.slice(at).toLowerCase();
}
