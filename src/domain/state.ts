// Rows of durable state and the plan a message's processing writes. These types are the
// contract between the pure policy stage and the store: policy reads a Snapshot and returns a
// Plan; the store loads the one and writes the other inside a single transaction.
import type { Action, DomainState, Reason, RecipientState, Side, Stage, StreamState } from './vocab.js';

/** Per-recipient state (one row per address). */
export interface RecipientRow {
  address: string;
  domain: string;
  state: RecipientState;
  /** Verdict that put the recipient in this state. */
  reason: Reason | null;
  side: Side | null;
  detail: string | null;
  /** Classification rule id of that verdict, and policy rule id of the transition. */
  rule: string | null;
  policyRule: string | null;
  /** ISO-8601 UTC. */
  since: string;
  retestAt: string | null;
  updatedAt: string;
  /** How many times this address has been paused for a long (admin-only) hold: each doubles the next. */
  pauseCount: number;
}

/** Per-recipient-domain state: one tenant refusing us (customer block list, relay denied) pauses the domain. */
export interface DomainRow {
  domain: string;
  state: DomainState;
  why: string | null;
  policyRule: string | null;
  since: string;
  retestAt: string | null;
  updatedAt: string;
}

/** Per-stream escalation state. */
export interface StreamRow {
  stream: string;
  state: StreamState;
  why: string | null;
  since: string;
  updatedAt: string;
}

/** A past bounce event of a recipient or stream, as policy needs to see it. */
export interface EventSummary {
  recipient: string;
  recipientDomain: string;
  reason: Reason;
  side: Side;
  family: string;
  action: Action;
  /** Message key of the DSN that carried it (distinct messages count, not records). */
  messageKey: string;
  /** ISO-8601 UTC. */
  at: string;
}

/**
 * What the store loads for policy before it decides, inside the transaction. Recipient events
 * include reported deliveries (action `delivered`, messageKey `delivery:<id>`): success evidence.
 */
export interface Snapshot {
  recipients: Map<string, { row: RecipientRow | undefined; events: EventSummary[] }>;
  domains: Map<string, DomainRow | undefined>;
  stream: { row: StreamRow | undefined; events: EventSummary[] };
}

/** Which history to load: recipient events since `recipientSince`, stream events since `streamSince`. */
export interface SnapshotRequest {
  recipients: string[];
  /** Recipient domains whose rows to load (defaults to none). */
  domains?: string[];
  stream: string;
  recipientSince: string;
  streamSince: string;
  /**
   * When set, the stream's events are only its failed events of this provider family with one of
   * these sides, and only the latest per recipient domain: what the escalation rule counts. It keeps
   * the snapshot bounded by the number of domains, however many bounces a big stream collects.
   */
  streamFilter?: { family: string; sides: readonly Side[] };
}

/** One bounce event to insert (one per classified recipient record). */
export interface NewEvent {
  recipient: string;
  recipientDomain: string;
  stream: string;
  action: Action;
  status: string;
  replyCode: string | null;
  reason: Reason;
  side: Side;
  detail: string | null;
  provider: string;
  family: string;
  rule: string;
  remoteMta: string | null;
  stage: Stage;
  diagnostic: string;
  at: string;
  /** The evidence pack of this event (src/policy/evidence.ts), stored with it. */
  evidence: Evidence | null;
}

/** What a recipient's admin or an ESP needs to trace one rejected message. */
export interface Evidence {
  recipient: string;
  sender: string | null;
  envelopeFrom: string | null;
  messageId: string | null;
  /** When the remote refused (Last-Attempt-Date, else Arrival-Date, else when we received the DSN), ISO UTC. */
  at: string;
  sendingIp: string | null;
  remoteHost: string | null;
  smtpResponse: string;
  enhancedCode: string;
  replyCode: string | null;
  stage: Stage;
  /** Provider-specific trace tag, e.g. Microsoft's `[DB3EUR04FT007.eop-eur04.prod.protection.outlook.com]`. */
  fingerprint: string | null;
  provider: string;
  reason: Reason;
  side: Side;
  detail: string | null;
  rule: string;
  /** What to ask of whom, in plain words. */
  request: string;
}

/** A state transition, stored with its explanation (`why`) and the policy rule that fired. */
export interface Decision {
  subject: 'recipient' | 'stream' | 'domain';
  key: string;
  from: string;
  to: string;
  policyRule: string;
  why: string;
  at: string;
  /** The inputs and thresholds that fired (counts, window, verdict), for "explain this state". */
  inputs?: Record<string, unknown>;
  /** Who decided when it was not the policy: `operator:<name>` for overrides. */
  actor?: string;
}

/** A successful delivery reported through the API (or counted from a positive DSN). */
export interface NewDelivery {
  recipient: string;
  recipientDomain: string;
  stream: string;
  at: string;
}

/** A webhook event to deliver through the outbox. */
export interface NewOutbox {
  /** Standard Webhooks `webhook-id`: stable across retries. */
  webhookId: string;
  type: WebhookType;
  /** The exact JSON body to send (signed as is). */
  body: string;
  at: string;
}

export type WebhookType = 'recipient.state_changed' | 'stream.escalated' | 'stream.recovered' | 'domain.state_changed';

export interface Plan {
  events: NewEvent[];
  recipients: RecipientRow[];
  domains?: DomainRow[];
  streams: StreamRow[];
  decisions: Decision[];
  outbox: NewOutbox[];
}

/** The received message as ingest saw it. */
export interface IncomingMessage {
  /** sha256 of the raw bytes: the idempotency key (an MTA that retries after a lost 250). */
  key: string;
  raw: Buffer;
  envelopeFrom: string;
  envelopeTo: string[];
  remoteAddress: string | null;
  receivedAt: string;
  kind: string;
}

export interface OutboxRow {
  id: number;
  webhookId: string;
  type: string;
  body: string;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
}

/** Rows whose time-based transition may be due (see src/policy/sweep.ts). */
export interface DueRows {
  recipients: RecipientRow[];
  domains: DomainRow[];
  /** Escalated streams with the time of their latest sender-side Microsoft rejection. */
  streams: Array<{ row: StreamRow; lastSignalAt: string | null }>;
}
