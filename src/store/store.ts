// The store interface: everything durable goes through it, so that the SQLite default and a
// PostgreSQL implementation (several replicas sharing state) are interchangeable. Methods are
// async even though better-sqlite3 is synchronous, because a network database is not.
import type {
  DomainRow, DueRows, IncomingMessage, NewDelivery, OutboxRow, Plan, RecipientRow, Snapshot, SnapshotRequest, StreamRow,
} from '../domain/state.js';
import type { StoredDecision, StoredEvent } from './sqlite-rows.js';

export type { StoredDecision, StoredEvent } from './sqlite-rows.js';

export interface CommitResult {
  /** Row id of the stored message. */
  messageId: number;
  /** True when a message with the same key was already committed: nothing was written again. */
  duplicate: boolean;
}

export interface OutboxStats {
  pending: number;
  /** Age in seconds of the oldest undelivered row (0 when none). */
  oldestAgeSeconds: number;
  dead: number;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, null on the last. */
  next: string | null;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Opens the database and runs pending numbered migrations. */
  init(): Promise<void>;
  /**
   * One transaction per message (an implementation may commit several messages together, each
   * in a savepoint of its own, and settle each only after that commit): store the message (raw bytes kept), load the snapshot that
   * `request` describes, call `plan` (pure and synchronous) on it, write the plan. A message
   * whose key was already committed is not processed again (`duplicate: true`, plan not called).
   */
  commitMessage(msg: IncomingMessage, request: SnapshotRequest, plan: (snap: Snapshot) => Plan): Promise<CommitResult>;
  /** One transaction: record the deliveries, then load, plan and write as commitMessage does. */
  commitDeliveries(deliveries: NewDelivery[], request: SnapshotRequest, plan: (snap: Snapshot) => Plan): Promise<void>;
  /** One transaction without a message (overrides, time-based transitions): load, plan, write. */
  commitPlan(request: SnapshotRequest, plan: (snap: Snapshot) => Plan): Promise<void>;
  /** Store a message we could not read, with the error, for later inspection and replay. */
  quarantine(msg: IncomingMessage, error: string): Promise<CommitResult>;
  /** Rows whose time-based transition is due at `now` (paused recipients and domains, escalated streams). */
  dueForSweep(now: Date, limit: number): Promise<DueRows>;
  getRecipient(address: string): Promise<RecipientRow | undefined>;
  getStream(stream: string): Promise<StreamRow | undefined>;
  getDomain(domain: string): Promise<DomainRow | undefined>;
  listRecipients(query: { state?: string; limit: number; cursor?: string }): Promise<Page<RecipientRow>>;
  listStreams(query: { state?: string; limit: number; cursor?: string }): Promise<Page<StreamRow>>;
  listDomains(query: { state?: string; limit: number; cursor?: string }): Promise<Page<DomainRow>>;
  /** Newest first: a recipient's bounce events (with evidence) and the decisions about it. */
  recipientHistory(address: string, limit: number): Promise<{ events: StoredEvent[]; decisions: StoredDecision[] }>;
  streamHistory(stream: string, limit: number): Promise<{ decisions: StoredDecision[]; events: StoredEvent[] }>;
  /** The raw bytes of a stored message (for replay and evidence). */
  rawMessage(messageId: number): Promise<Buffer | undefined>;
  /** Rows due for delivery at `now`, leased for `leaseMs` so a second worker skips them. */
  claimOutbox(now: Date, limit: number, leaseMs: number): Promise<OutboxRow[]>;
  markDelivered(id: number, at: Date): Promise<void>;
  /** Record a failed attempt; `nextAttemptAt` null means give up (dead letter). */
  markFailed(id: number, error: string, nextAttemptAt: Date | null): Promise<void>;
  outboxStats(now: Date): Promise<OutboxStats>;
  /** Current counts for the metrics gauges. */
  counts(): Promise<{ recipients: Record<string, number>; streamsEscalated: number; domainsPaused: number }>;
  /** Recipient domains by volume (bounce events and deliveries) since `since`: the metric label slots. */
  topDomains(limit: number, since: Date): Promise<string[]>;
  /** Cheap liveness check for /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
