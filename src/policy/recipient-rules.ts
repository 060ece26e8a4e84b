// The recipient state machine as data: an ordered list of policy rules. The first rule whose
// condition holds decides; it moves the recipient only from the states it lists (`from`), so the
// table below IS the set of documented transitions (docs/state-machine.md is generated from it
// and a test keeps the two identical). Sources: DESIGN.md decision points and the "recipient"
// column of ../shared/reference/microsoft-ndr.md (sender-side codes never count against the
// recipient, §4.4; recipient-policy codes pause instead of suppressing, §4.5).
import type { ReportKind } from '../domain/report.js';
import type { EventSummary, RecipientRow } from '../domain/state.js';
import { type Reason, type RecipientState, SENDER_SIDES } from '../domain/vocab.js';
import type { PolicyConfig, PolicyItem } from './types.js';

/** Reasons that prove the address itself is dead (RFC 3463 X.1.x and provider equivalents). */
export const DEAD_ADDRESS: ReadonlySet<Reason> = new Set<Reason>(['userunknown', 'hostunknown', 'hasmoved', 'suspend', 'notaccept']);

export interface RuleContext {
  item: PolicyItem;
  kind: ReportKind;
  state: RecipientState;
  row: RecipientRow | undefined;
  /** Earlier events of this address (bounces and reported deliveries) inside the policy windows. */
  events: EventSummary[];
  messageKey: string;
  now: Date;
  cfg: PolicyConfig;
}

export interface RecipientRule {
  id: string;
  to: RecipientState;
  /** The effective states this rule moves a recipient from; in any other state it changes nothing. */
  from: readonly RecipientState[];
  /** One line for the transition table. */
  summary: string;
  when(c: RuleContext): boolean;
  why(c: RuleContext): string;
  /** For pauses: how long to hold. */
  hold?(c: RuleContext): number;
  /** What to store as the decision's inputs (counts, thresholds). */
  inputs?(c: RuleContext): Record<string, unknown>;
}

const ALL_BUT_SUPPRESS: readonly RecipientState[] = ['active', 'keep_testing', 'intermittent', 'pause'];

function since(c: RuleContext, windowMs: number): EventSummary[] {
  const start = c.now.getTime() - windowMs;
  return c.events.filter(e => Date.parse(e.at) >= start);
}

/** Distinct messages among the events, counting the current message once. */
function distinct(events: EventSummary[], currentKey: string): number {
  return new Set([...events.map(e => e.messageKey), currentKey]).size;
}

const failed = (c: RuleContext) => c.item.record.action === 'failed';
const permanent = (c: RuleContext) => c.item.record.status.startsWith('5');
const isDead = (c: RuleContext) => failed(c) && permanent(c) && c.item.verdict.side === 'recipient' && DEAD_ADDRESS.has(c.item.verdict.reason);
const recentSuccess = (c: RuleContext) => since(c, c.cfg.successWindowMs).some(e => e.action === 'delivered');
const hardCount = (c: RuleContext) => distinct(since(c, c.cfg.successWindowMs).filter(e => e.action === 'failed' && DEAD_ADDRESS.has(e.reason) && e.side === 'recipient'), c.messageKey);
const policyCount = (c: RuleContext) => distinct(since(c, c.cfg.policyWindowMs).filter(e => e.action === 'failed' && e.side === 'recipient_admin'), c.messageKey);
const softEvents = (c: RuleContext) => since(c, c.cfg.softWindowMs).filter(e => e.action === 'failed' && e.side === 'recipient' && !DEAD_ADDRESS.has(e.reason));
const isReceiveLimit = (c: RuleContext) => failed(c) && c.item.verdict.reason === 'speeding' && !SENDER_SIDES.has(c.item.verdict.side);
const label = (c: RuleContext) => `${c.item.verdict.detail ?? c.item.verdict.reason} (${c.item.record.status})`;
const dur = (ms: number) => (ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`);

export const RECIPIENT_RULES: readonly RecipientRule[] = [
  {
    id: 'policy/complaint', to: 'suppress', from: ALL_BUT_SUPPRESS,
    summary: 'a complaint (ARF feedback report) about the address',
    when: c => c.kind === 'arf' || c.item.verdict.reason === 'feedback',
    why: c => `the recipient complained (feedback report${c.item.verdict.detail ? `, ${c.item.verdict.detail}` : ''}): never mail them again without new consent`,
  },
  {
    id: 'policy/delivered', to: 'active', from: ['keep_testing', 'pause'],
    summary: 'a successful delivery (positive DSN or reported through the API)',
    when: c => c.item.record.action === 'delivered' && c.kind !== 'autoreply',
    why: () => 'a message was delivered to the address: whatever held it back is gone',
  },
  {
    id: 'policy/dead-address-after-delivery', to: 'intermittent', from: ['active', 'keep_testing', 'pause'],
    summary: 'a dead-address bounce, but the address accepted mail within the success window',
    when: c => isDead(c) && recentSuccess(c) && hardCount(c) < c.cfg.hardRepeat,
    why: c => `${label(c)} says the address is dead, but it accepted mail within ${dur(c.cfg.successWindowMs)}: one bounce is not proof (suppress after ${c.cfg.hardRepeat})`,
    inputs: c => ({ hardBounces: hardCount(c), hardRepeat: c.cfg.hardRepeat, successWindow: dur(c.cfg.successWindowMs) }),
  },
  {
    id: 'policy/dead-address', to: 'suppress', from: ALL_BUT_SUPPRESS,
    summary: 'a permanent unknown-user / bad-domain bounce (5.1.x, Microsoft DBEB 5.4.1, Outlook.com 5.5.0); after a recent delivery only the hardRepeat-th one',
    when: isDead,
    why: c => `${label(c)}, rule ${c.item.verdict.rule}: the address does not exist or no longer accepts mail` +
      (recentSuccess(c) ? ` (${hardCount(c)} such bounces within ${dur(c.cfg.successWindowMs)} despite a delivery)` : ''),
    inputs: c => ({ hardBounces: hardCount(c), recentDelivery: recentSuccess(c) }),
  },
  {
    id: 'policy/receive-limit', to: 'pause', from: ['active', 'keep_testing', 'intermittent'],
    summary: 'a per-hour receive limit of the recipient (short hold)',
    when: isReceiveLimit,
    hold: c => c.cfg.shortPauseMs,
    why: c => `${label(c)}: the recipient's per-hour receive limit was reached; hold ${dur(c.cfg.shortPauseMs)}`,
  },
  {
    id: 'policy/recipient-policy-repeat', to: 'pause', from: ['active', 'keep_testing', 'intermittent'],
    summary: 'recipient-side policy bounces from policyRepeat distinct messages within policyWindow (long hold, doubling each time)',
    when: c => failed(c) && c.item.verdict.side === 'recipient_admin' && policyCount(c) >= c.cfg.policyRepeat,
    hold: c => Math.min(c.cfg.pauseMaxMs, c.cfg.pauseForMs * 2 ** (c.row?.pauseCount ?? 0)),
    why: c => `${policyCount(c)} recipient-side policy bounces from distinct messages within ${dur(c.cfg.policyWindowMs)} ` +
      `(threshold ${c.cfg.policyRepeat}; last: ${label(c)}); only the recipient's admin can lift it` +
      ((c.row?.pauseCount ?? 0) > 0 ? ` — paused before ${c.row?.pauseCount} time(s), so the hold doubles` : ''),
    inputs: c => ({ policyBounces: policyCount(c), policyRepeat: c.cfg.policyRepeat, policyWindow: dur(c.cfg.policyWindowMs), previousPauses: c.row?.pauseCount ?? 0 }),
  },
  {
    id: 'policy/recipient-policy-first', to: 'keep_testing', from: ['active'],
    summary: 'a first recipient-side policy bounce (group restriction, tenant rule): one is not enough to pause',
    when: c => failed(c) && c.item.verdict.side === 'recipient_admin',
    why: c => `recipient-side policy bounce ${label(c)}; one is not enough to pause (threshold ${c.cfg.policyRepeat})`,
  },
  {
    id: 'policy/soft-repeat', to: 'suppress', from: ['active', 'keep_testing', 'intermittent'],
    summary: 'softRepeat soft recipient bounces (mailbox full...) spanning at least softSpan',
    when: c => {
      if (!failed(c) || c.item.verdict.side !== 'recipient') return false;
      const soft = softEvents(c);
      const first = Math.min(...soft.map(e => Date.parse(e.at)));
      return distinct(soft, c.messageKey) >= c.cfg.softRepeat && c.now.getTime() - first >= c.cfg.softSpanMs;
    },
    why: c => `${distinct(softEvents(c), c.messageKey)} soft bounces (last: ${label(c)}) over more than ${dur(c.cfg.softSpanMs)}: the mailbox is abandoned`,
    inputs: c => ({ softBounces: distinct(softEvents(c), c.messageKey), softRepeat: c.cfg.softRepeat, softSpan: dur(c.cfg.softSpanMs) }),
  },
  {
    id: 'policy/soft-bounce', to: 'keep_testing', from: ['active'],
    summary: 'a soft recipient bounce (mailbox full, 4xx unknown user...)',
    when: c => failed(c) && c.item.verdict.side === 'recipient',
    why: c => `recipient ${label(c)}: keep testing`,
  },
  {
    id: 'policy/ambiguous', to: 'keep_testing', from: ['active'],
    summary: 'a bounce that does not say who must act (e.g. a bare 550 5.7.1)',
    when: c => failed(c) && c.item.verdict.side === 'unknown',
    why: c => `ambiguous bounce ${label(c)}: cannot tell who must act, keep testing`,
  },
  {
    id: 'policy/transient', to: 'keep_testing', from: ['active'],
    summary: 'a failed delivery for a transient reason (expired, deferred until give-up)',
    when: c => failed(c) && c.item.verdict.side === 'transient',
    why: c => `transient failure ${label(c)}: keep testing`,
  },
];

/** What never changes a recipient (listed in the docs next to the rules). */
export const NO_CHANGE = [
  'sender-side verdicts (sender_auth, sender_ip, sender_mta, sender_account): the sender must act; they feed the stream instead',
  'content rejections (size, format, spam content): the message is at fault, not the address',
  'auto-replies and delayed DSNs',
  'a verdict whose rule does not list the current state in `from` (states never move down on a weaker verdict)',
];

/** Sender-side and content verdicts, auto-replies and delays stop before any rule is tried. */
export function ignored(item: PolicyItem, kind: ReportKind): boolean {
  if (kind === 'autoreply') return true;
  const { action } = item.record;
  if (action === 'delayed' || action === 'relayed' || action === 'expanded') return true;
  if (action === 'failed' && (SENDER_SIDES.has(item.verdict.side) || item.verdict.side === 'content' || item.verdict.side === 'none')) return true;
  return false;
}
