// Per-stream escalation: many Microsoft recipient domains refusing one stream for sender-side
// reasons within a window is a sender incident (IP block list, DMARC), not a list of bad
// recipients (../shared/reference/microsoft-ndr.md §4 rule 3, "scope test"). Unambiguous signals
// (a banned sending IP, a DMARC reject) need fewer domains. A quiet period recovers the stream.
import type { EventSummary, StreamRow } from '../domain/state.js';
import { SENDER_SIDES } from '../domain/vocab.js';
import type { PolicyConfig, PolicyItem } from './types.js';

/** The stored events escalation counts; the store loads only these (latest per domain). */
export const ESCALATION_EVENTS = { family: 'microsoft', sides: [...SENDER_SIDES] } as const;

/** Is this event a sender-side rejection by Microsoft (the signal the escalation counts)? */
export function isMicrosoftSenderSide(e: Pick<EventSummary, 'side' | 'family' | 'action'>): boolean {
  return e.family === ESCALATION_EVENTS.family && SENDER_SIDES.has(e.side) && e.action === 'failed';
}

export interface StreamOutcome {
  policyRule: string;
  why: string;
  domains: string[];
  inputs: Record<string, unknown>;
}

/**
 * Escalate when the distinct Microsoft recipient domains with sender-side rejections of this
 * stream within the window (earlier events plus this message's) reach the threshold — the lower
 * one when this message carries an unambiguous signal.
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
  const signals = new Set<string>();
  for (const { record, verdict } of items) {
    if (!isMicrosoftSenderSide({ side: verdict.side, family: verdict.family, action: record.action })) continue;
    domains.add(domainOf(record.recipient));
    signals.add(verdict.detail ?? verdict.side);
  }
  if (signals.size === 0) return null;
  const strong = [...signals].filter(s => cfg.strongDetails.includes(s));
  const threshold = strong.length > 0 ? Math.min(cfg.escalateDomainsStrong, cfg.escalateDomains) : cfg.escalateDomains;
  if (domains.size < threshold) return null;
  const list = [...domains].sort();
  const hours = Math.round(cfg.escalateWindowMs / 3_600_000);
  return {
    policyRule: strong.length > 0 ? 'policy/stream-strong-signal' : 'policy/stream-microsoft-sender-side',
    domains: list,
    inputs: { domains: list.length, threshold, window: `${hours}h`, signals: [...signals] },
    why: `${list.length} distinct Microsoft recipient domain${list.length > 1 ? 's' : ''} rejected this stream for sender-side reasons within ${hours}h ` +
      `(threshold ${threshold}${strong.length ? `, unambiguous signal ${strong.join(', ')}` : ''}; latest: ${[...signals].join(', ')}); ` +
      'the sender must act, recipients are left alone',
  };
}

/** An escalated stream whose last sender-side Microsoft rejection is older than recoverAfter recovers. */
export function streamRecovered(current: StreamRow, lastSignalAt: string | null, now: Date, cfg: PolicyConfig): { why: string; policyRule: string } | null {
  if (current.state !== 'escalate') return null;
  const last = Date.parse(lastSignalAt ?? current.since);
  if (now.getTime() - last < cfg.recoverAfterMs) return null;
  return {
    policyRule: 'policy/stream-recovered',
    why: `no sender-side Microsoft rejection of this stream since ${new Date(last).toISOString()} (quiet period ${Math.round(cfg.recoverAfterMs / 3_600_000)}h)`,
  };
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}
