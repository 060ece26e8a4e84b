// Per-recipient decision: runs the rule table (recipient-rules.ts) for one verdict, given the
// address's row and history. Also the time-based retest: a pause whose retest time has passed
// counts as keep_testing again.
import type { ReportKind } from '../domain/report.js';
import type { EventSummary, RecipientRow } from '../domain/state.js';
import type { RecipientState } from '../domain/vocab.js';
import { ignored, RECIPIENT_RULES, type RuleContext } from './recipient-rules.js';
import type { PolicyConfig, PolicyItem } from './types.js';

export interface RecipientOutcome {
  to: RecipientState;
  policyRule: string;
  why: string;
  retestAt: string | null;
  inputs: Record<string, unknown>;
}

/**
 * The transition one verdict implies, or null for "no change". `events` are the address's earlier
 * events inside the policy windows, `current` its row (undefined = never seen = active).
 */
export function decideRecipient(
  item: PolicyItem, kind: ReportKind, current: RecipientRow | undefined, events: EventSummary[],
  messageKey: string, now: Date, cfg: PolicyConfig,
): RecipientOutcome | null {
  if (ignored(item, kind)) return null;
  const c: RuleContext = { item, kind, state: effectiveState(current, now), row: current, events, messageKey, now, cfg };
  const rule = RECIPIENT_RULES.find(r => r.when(c));
  if (!rule || !rule.from.includes(c.state) || rule.to === c.state) return null;
  const hold = rule.hold?.(c);
  return {
    to: rule.to,
    policyRule: rule.id,
    why: rule.why(c),
    retestAt: hold === undefined ? null : new Date(now.getTime() + hold).toISOString(),
    inputs: {
      from: c.state, verdict: { reason: item.verdict.reason, side: item.verdict.side, detail: item.verdict.detail ?? null, rule: item.verdict.rule, status: item.record.status },
      ...(hold === undefined ? {} : { holdMs: hold }), ...rule.inputs?.(c),
    },
  };
}

/** A pause whose retest time has passed counts as keep_testing again. */
export function effectiveState(current: RecipientRow | undefined, now: Date): RecipientState {
  if (!current) return 'active';
  if (current.state === 'pause' && current.retestAt !== null && Date.parse(current.retestAt) <= now.getTime()) return 'keep_testing';
  return current.state;
}

/** The row after a transition: pauses from the long-hold rule count toward the next hold. */
export function nextRow(current: RecipientRow | undefined, address: string, domain: string, out: RecipientOutcome, item: PolicyItem | undefined, at: string): RecipientRow {
  const longPause = out.policyRule === 'policy/recipient-policy-repeat';
  return {
    address, domain, state: out.to,
    reason: item?.verdict.reason ?? current?.reason ?? null,
    side: item?.verdict.side ?? current?.side ?? null,
    detail: item ? item.verdict.detail ?? null : current?.detail ?? null,
    rule: item?.verdict.rule ?? current?.rule ?? null,
    policyRule: out.policyRule,
    since: at, retestAt: out.retestAt, updatedAt: at,
    pauseCount: (current?.pauseCount ?? 0) + (longPause ? 1 : 0),
  };
}
