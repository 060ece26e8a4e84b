// Per-stream escalation: many Microsoft recipient domains refusing one stream for sender-side
// reasons within a window is a sender incident (IP block list, DMARC), not a list of bad
// recipients (../shared/reference/microsoft-ndr.md §4 rule 3, "scope test").
import type { EventSummary, StreamRow } from '../domain/state.js';
import { SENDER_SIDES } from '../domain/vocab.js';
import type { PolicyConfig, PolicyItem } from './types.js';

export interface StreamOutcome {
  policyRule: string;
  why: string;
  domains: string[];
}

/** The stored events escalation counts; the store loads only these (latest per domain). */
export const ESCALATION_EVENTS = { family: 'microsoft', sides: [...SENDER_SIDES] } as const;

/** Is this event a sender-side rejection by Microsoft (the signal the escalation counts)? */
export function isMicrosoftSenderSide(e: Pick<EventSummary, 'side' | 'family' | 'action'>): boolean {
  return e.family === ESCALATION_EVENTS.family && SENDER_SIDES.has(e.side) && e.action === 'failed';
}

/**
 * Escalate when the distinct Microsoft recipient domains with sender-side rejections of this
 * stream within the window (earlier events plus this message's) reach the threshold.
 */
export function decideStream(
  current: StreamRow | undefined, earlier: EventSummary[], items: PolicyItem[], now: Date, cfg: PolicyConfig,
): StreamOutcome | null {
  if (current?.state === 'escalate') return null;
  const windowStart = now.getTime() - cfg.escalateWindowMs;
  const domains = new Set<string>();
  for (const e of earlier) {
    if (isMicrosoftSenderSide(e) && Date.parse(e.at) >= windowStart) domains.add(e.recipientDomain);
  }
  const sides = new Set<string>();
  for (const { record, verdict } of items) {
    if (!isMicrosoftSenderSide({ side: verdict.side, family: verdict.family, action: record.action })) continue;
    domains.add(domainOf(record.recipient));
    sides.add(verdict.detail ?? verdict.side);
  }
  if (sides.size === 0 || domains.size < cfg.escalateDomains) return null;
  const list = [...domains].sort();
  return {
    policyRule: 'policy/stream-microsoft-sender-side',
    domains: list,
    why: `${list.length} distinct Microsoft recipient domains rejected this stream for sender-side reasons ` +
      `within ${Math.round(cfg.escalateWindowMs / 3_600_000)}h (threshold ${cfg.escalateDomains}; latest: ${[...sides].join(', ')}); ` +
      'the sender must act, recipients are left alone',
  };
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}
