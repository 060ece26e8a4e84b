// Per-recipient decision: what one verdict does to one address, given its history. The table
// follows DESIGN.md's decision points and the "recipient" column of
// ../shared/reference/microsoft-ndr.md: sender-side codes never count against the recipient
// (§4 rule 4), recipient-policy codes pause instead of suppressing (§4 rule 5).
import type { EventSummary, RecipientRow } from '../domain/state.js';
import type { Reason, RecipientState } from '../domain/vocab.js';
import { SENDER_SIDES } from '../domain/vocab.js';
import type { PolicyConfig, PolicyItem } from './types.js';

/** Reasons that prove the address itself is dead (RFC 3463 X.1.x and provider equivalents). */
const DEAD_ADDRESS: ReadonlySet<Reason> = new Set<Reason>(['userunknown', 'hostunknown', 'hasmoved', 'suspend', 'notaccept']);

/** How strongly a state holds a recipient back; a verdict never moves a recipient down. */
const RANK: Record<RecipientState, number> = { active: 0, keep_testing: 1, intermittent: 2, pause: 3, suppress: 4 };

export interface RecipientOutcome {
  to: RecipientState;
  policyRule: string;
  why: string;
  retestAt: string | null;
}

/**
 * Decide the state a verdict implies, or null for "no change" (sender-side, content, auto-reply,
 * delayed and delivered reports). `events` are the recipient's earlier events inside the
 * longest policy window, `current` its row (undefined = never seen = active).
 */
export function decideRecipient(
  item: PolicyItem, current: RecipientRow | undefined, events: EventSummary[],
  messageKey: string, now: Date, cfg: PolicyConfig,
): RecipientOutcome | null {
  const { verdict, record } = item;
  if (record.action !== 'failed') return null;
  if (SENDER_SIDES.has(verdict.side)) return null;
  if (verdict.side === 'content' || verdict.side === 'none') return null;

  const permanent = record.status.startsWith('5');
  let proposal: RecipientOutcome;
  if (verdict.side === 'recipient' && permanent && DEAD_ADDRESS.has(verdict.reason)) {
    const delivered = events.filter(e => e.action === 'delivered');
    const hard = distinctMessages(events.filter(e => e.action === 'failed' && DEAD_ADDRESS.has(e.reason)), messageKey);
    if (delivered.length > 0 && hard < 2) {
      proposal = {
        to: 'intermittent', policyRule: 'policy/dead-address-after-delivery', retestAt: null,
        why: `${verdict.reason} (${record.status}) but the address had a successful delivery recently; one hard bounce is not proof`,
      };
    } else {
      proposal = {
        to: 'suppress', policyRule: 'policy/dead-address', retestAt: null,
        why: `${verdict.reason} (${record.status}, rule ${verdict.rule}): the address does not exist or no longer accepts mail`,
      };
    }
  } else if (verdict.side === 'recipient_admin') {
    const windowStart = now.getTime() - cfg.policyWindowMs;
    const earlier = events.filter(e => e.side === 'recipient_admin' && e.action === 'failed' && Date.parse(e.at) >= windowStart);
    const count = distinctMessages(earlier, messageKey);
    if (count >= cfg.policyRepeat) {
      const retestAt = new Date(now.getTime() + cfg.pauseForMs).toISOString();
      proposal = {
        to: 'pause', policyRule: 'policy/recipient-policy-repeat', retestAt,
        why: `${count} recipient-side policy bounces from distinct messages within ${days(cfg.policyWindowMs)} ` +
          `(threshold ${cfg.policyRepeat}; last: ${verdict.detail ?? verdict.reason}); only the recipient's admin can lift it — paused until ${retestAt}`,
      };
    } else {
      proposal = {
        to: 'keep_testing', policyRule: 'policy/recipient-policy-first', retestAt: null,
        why: `recipient-side policy bounce (${verdict.detail ?? verdict.reason}, ${record.status}); one is not enough to pause (threshold ${cfg.policyRepeat})`,
      };
    }
  } else {
    // recipient soft reasons (mailbox full...), transient failures, and ambiguous verdicts.
    proposal = {
      to: 'keep_testing', policyRule: verdict.side === 'unknown' ? 'policy/ambiguous' : 'policy/soft-bounce', retestAt: null,
      why: verdict.side === 'unknown'
        ? `ambiguous bounce (${record.status} ${verdict.reason}): cannot tell who must act, keep testing`
        : `${verdict.side} ${verdict.reason} (${record.status}): keep testing`,
    };
  }

  const from = effectiveState(current, now);
  return RANK[proposal.to] > RANK[from] ? proposal : null;
}

/** A pause whose retest time has passed counts as keep_testing again. */
export function effectiveState(current: RecipientRow | undefined, now: Date): RecipientState {
  if (!current) return 'active';
  if (current.state === 'pause' && current.retestAt !== null && Date.parse(current.retestAt) <= now.getTime()) return 'keep_testing';
  return current.state;
}

/** Number of distinct messages among the events, counting the current message once. */
function distinctMessages(events: EventSummary[], currentKey: string): number {
  const keys = new Set(events.map(e => e.messageKey));
  keys.add(currentKey);
  return keys.size;
}

function days(ms: number): string {
  return ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : `${Math.round(ms / 3_600_000)}h`;
}
