// Inputs and outputs of the policy stage. Policy is pure: it sees the message's verdicts, the
// history the store loaded (Snapshot) and an injected clock, and returns rows to write.
import type { BounceReport, RecipientRecord } from '../domain/report.js';
import type { Decision, DomainRow, NewEvent, RecipientRow, Snapshot, StreamRow } from '../domain/state.js';
import type { Verdict } from '../domain/verdict.js';

export interface PolicyConfig {
  /** Recipient-side policy bounces from distinct messages within policyWindowMs that pause. */
  policyRepeat: number;
  policyWindowMs: number;
  /** First long hold; each later long pause of the same address doubles it, up to pauseMaxMs. */
  pauseForMs: number;
  pauseMaxMs: number;
  /** Hold for per-hour receive limits (Microsoft 5.2.121/5.2.122, "receiving mail too quickly"). */
  shortPauseMs: number;
  /** A delivery within this window turns a dead-address bounce into `intermittent`... */
  successWindowMs: number;
  /** ...until this many dead-address bounces from distinct messages fall inside that window. */
  hardRepeat: number;
  /** Soft recipient bounces (mailbox full...) that suppress: this many, spanning at least softSpanMs. */
  softRepeat: number;
  softSpanMs: number;
  softWindowMs: number;
  /** Distinct Microsoft recipient domains with sender-side rejections that escalate a stream. */
  escalateDomains: number;
  /** The same for unambiguous signals (strongDetails: banned IP, DMARC reject). */
  escalateDomainsStrong: number;
  strongDetails: readonly string[];
  escalateWindowMs: number;
  /** An escalated stream recovers after this long without a sender-side Microsoft rejection. */
  recoverAfterMs: number;
  /** Verdict details that mean "this whole tenant refuses us": pause the recipient domain. */
  domainDetails: readonly string[];
  domainPauseMs: number;
}

export interface PolicyItem {
  record: RecipientRecord;
  verdict: Verdict;
}

export interface PolicyInput {
  /** Idempotency key of the message (distinct messages count, not records). */
  messageKey: string;
  stream: string;
  items: PolicyItem[];
  snapshot: Snapshot;
  now: Date;
  /** Report facts for evidence packs (original message, dates). */
  report?: Pick<BounceReport, 'original' | 'arrivalDate' | 'kind'>;
}

/** A transition with the facts a webhook consumer needs about it. */
export interface RecipientChange {
  decision: Decision;
  row: RecipientRow;
  /** The verdict that caused it; absent for time-based, delivery and operator transitions. */
  item?: PolicyItem;
  event?: NewEvent;
}

export interface StreamChange {
  decision: Decision;
  row: StreamRow;
  /** Distinct recipient domains that triggered the escalation. */
  domains: string[];
  item?: PolicyItem;
  event?: NewEvent;
}

export interface DomainChange {
  decision: Decision;
  row: DomainRow;
  item?: PolicyItem;
  event?: NewEvent;
}

export interface PolicyOutcome {
  events: NewEvent[];
  recipients: RecipientRow[];
  domains: DomainRow[];
  streams: StreamRow[];
  recipientChanges: RecipientChange[];
  domainChanges: DomainChange[];
  streamChanges: StreamChange[];
}

export function emptyOutcome(): PolicyOutcome {
  return { events: [], recipients: [], domains: [], streams: [], recipientChanges: [], domainChanges: [], streamChanges: [] };
}
