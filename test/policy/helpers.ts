// Builders for policy tests: records and verdicts as classify would produce them, and snapshots
// as the store would load them.
import type { RecipientRecord } from '../../src/domain/report.js';
import type { EventSummary, RecipientRow, Snapshot } from '../../src/domain/state.js';
import type { Verdict } from '../../src/domain/verdict.js';
import type { Action, Reason, Side } from '../../src/domain/vocab.js';
import type { PolicyConfig, PolicyItem } from '../../src/policy/index.js';

const DAY = 86_400_000;

/** The shipped defaults (config/default.yaml), spelled out so a test reads its thresholds. */
export const CFG: PolicyConfig = {
  policyRepeat: 2, policyWindowMs: 30 * DAY, pauseForMs: 30 * DAY, pauseMaxMs: 180 * DAY, shortPauseMs: 3_600_000,
  successWindowMs: 30 * DAY, hardRepeat: 2, softRepeat: 5, softSpanMs: 7 * DAY, softWindowMs: 30 * DAY,
  escalateDomains: 3, escalateDomainsStrong: 1, strongDetails: ['microsoft.banned_ip', 'microsoft.dmarc_reject'],
  escalateWindowMs: DAY, recoverAfterMs: DAY,
  domainDetails: ['microsoft.customer_blocklist', 'microsoft.domain_not_accepted', 'microsoft.mx_requires_auth'], domainPauseMs: 7 * DAY,
};

export const NOW = new Date('2026-11-26T12:00:00.000Z');

export function item(recipient: string, status: string, reason: Reason, side: Side, extra: {
  action?: Action; family?: string; detail?: string; provider?: string;
} = {}): PolicyItem {
  const record: RecipientRecord = {
    recipient, action: extra.action ?? 'failed', status, replyCode: status.startsWith('5') ? '550' : '451',
    diagnostic: `${status} test`, stage: 'rcpt', fields: {},
  };
  const family = extra.family ?? 'microsoft';
  const verdict: Verdict = {
    reason, side, detail: extra.detail, provider: extra.provider ?? (family === 'microsoft' ? 'microsoft_m365' : 'other'),
    family, providerBy: 'host', rule: `test/${reason}`, level: 'provider',
  };
  return { record, verdict };
}

export function event(recipient: string, side: Side, reason: Reason, messageKey: string, at: string, extra: {
  action?: Action; family?: string;
} = {}): EventSummary {
  return {
    recipient, recipientDomain: recipient.split('@')[1] ?? '', side, reason, messageKey, at,
    action: extra.action ?? 'failed', family: extra.family ?? 'microsoft',
  };
}

export function row(address: string, state: RecipientRow['state'], retestAt: string | null = null): RecipientRow {
  return {
    address, domain: address.split('@')[1] ?? '', state, reason: null, side: null, detail: null,
    rule: null, policyRule: null, since: '2026-11-01T00:00:00.000Z', retestAt, updatedAt: '2026-11-01T00:00:00.000Z', pauseCount: 0,
  };
}

export function snapshot(recipients: Record<string, { row?: RecipientRow; events?: EventSummary[] }> = {}, stream: {
  row?: Snapshot['stream']['row']; events?: EventSummary[];
} = {}): Snapshot {
  return {
    recipients: new Map(Object.entries(recipients).map(([k, v]) => [k, { row: v.row, events: v.events ?? [] }])),
    domains: new Map(),
    stream: { row: stream.row, events: stream.events ?? [] },
  };
}

export function hoursAgo(h: number): string {
  return new Date(NOW.getTime() - h * 3_600_000).toISOString();
}
