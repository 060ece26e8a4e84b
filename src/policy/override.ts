// Operator overrides (HTTP API and CLI): "the admin fixed the group", "this address is ours, never
// suppress it". Recorded as a decision like any other, with who and why, and announced by webhook.
import type { RecipientRow } from '../domain/state.js';
import { isOneOf, RECIPIENT_STATES, type RecipientState } from '../domain/vocab.js';
import { AppError } from '../errors.js';
import { domainOf } from './stream.js';
import { emptyOutcome, type PolicyOutcome } from './types.js';

export interface OverrideRequest {
  address: string;
  state: string;
  actor: string;
  why: string;
  /** Required for `pause`: until when (ISO-8601). */
  until?: string;
}

export function decideOverride(req: OverrideRequest, current: RecipientRow | undefined, now: Date): PolicyOutcome {
  const problems: string[] = [];
  if (!isOneOf(RECIPIENT_STATES, req.state)) problems.push(`state: must be one of ${RECIPIENT_STATES.join(', ')}`);
  if (!/^[^\s@]+@[^\s@]+$/.test(req.address)) problems.push('address: not an e-mail address');
  if (req.actor.trim() === '') problems.push('actor: required (who decides)');
  if (req.why.trim() === '') problems.push('why: required (the reason is stored with the decision)');
  const until = req.until === undefined ? NaN : Date.parse(req.until);
  if (req.state === 'pause' && !(until > now.getTime())) problems.push('until: a pause needs a future ISO-8601 time');
  if (problems.length) throw new AppError('INVALID_REQUEST', 'invalid override', problems);
  const to = req.state as RecipientState;
  const at = now.toISOString();
  const out = emptyOutcome();
  const from = current?.state ?? 'active';
  const row: RecipientRow = {
    address: req.address, domain: domainOf(req.address), state: to,
    reason: current?.reason ?? null, side: current?.side ?? null, detail: current?.detail ?? null, rule: current?.rule ?? null,
    policyRule: 'policy/override', since: at, retestAt: to === 'pause' ? new Date(until).toISOString() : null, updatedAt: at,
    pauseCount: current?.pauseCount ?? 0,
  };
  out.recipients.push(row);
  out.recipientChanges.push({
    row,
    decision: { subject: 'recipient', key: req.address, from, to, policyRule: 'policy/override', why: req.why, at, actor: `operator:${req.actor}`, inputs: { until: row.retestAt } },
  });
  return out;
}
