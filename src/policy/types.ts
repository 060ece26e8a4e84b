// Inputs and outputs of the policy stage. Policy is pure: it sees the message's verdicts, the
// history the store loaded (Snapshot) and an injected clock, and returns rows to write.
import type { RecipientRecord } from '../domain/report.js';
import type { Decision, NewEvent, RecipientRow, Snapshot, StreamRow } from '../domain/state.js';
import type { Verdict } from '../domain/verdict.js';

export interface PolicyConfig {
  /** Recipient-side policy bounces from distinct messages within policyWindowMs that pause. */
  policyRepeat: number;
  policyWindowMs: number;
  pauseForMs: number;
  /** Distinct Microsoft recipient domains with sender-side rejections that escalate a stream. */
  escalateDomains: number;
  escalateWindowMs: number;
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
}

/** A transition with the facts a webhook consumer needs about it. */
export interface RecipientChange {
  decision: Decision;
  row: RecipientRow;
  item: PolicyItem;
}

export interface StreamChange {
  decision: Decision;
  row: StreamRow;
  /** Distinct recipient domains that triggered the escalation. */
  domains: string[];
  item: PolicyItem;
}

export interface PolicyOutcome {
  events: NewEvent[];
  recipients: RecipientRow[];
  streams: StreamRow[];
  recipientChanges: RecipientChange[];
  streamChanges: StreamChange[];
}
