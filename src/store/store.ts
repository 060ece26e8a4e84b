// The store interface: everything durable goes through it, so that the SQLite default and a
// PostgreSQL implementation (several replicas sharing state) are interchangeable. Methods are
// async even though better-sqlite3 is synchronous, because a network database is not.
import type {
  IncomingMessage, OutboxRow, Plan, RecipientRow, Snapshot, SnapshotRequest, StreamRow,
} from '../domain/state.js';

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

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Opens the database and runs pending numbered migrations. */
  init(): Promise<void>;
  /**
   * One transaction per message: store the message (raw bytes kept), load the snapshot that
   * `request` describes, call `plan` (pure and synchronous) on it, write the plan. A message
   * whose key was already committed is not processed again (`duplicate: true`, plan not called).
   */
  commitMessage(msg: IncomingMessage, request: SnapshotRequest, plan: (snap: Snapshot) => Plan): Promise<CommitResult>;
  /** Store a message we could not read, with the error, for later inspection and replay. */
  quarantine(msg: IncomingMessage, error: string): Promise<CommitResult>;
  getRecipient(address: string): Promise<RecipientRow | undefined>;
  getStream(stream: string): Promise<StreamRow | undefined>;
  /** Rows due for delivery at `now`, leased for `leaseMs` so a second worker skips them. */
  claimOutbox(now: Date, limit: number, leaseMs: number): Promise<OutboxRow[]>;
  markDelivered(id: number, at: Date): Promise<void>;
  /** Record a failed attempt; `nextAttemptAt` null means give up (dead letter). */
  markFailed(id: number, error: string, nextAttemptAt: Date | null): Promise<void>;
  outboxStats(now: Date): Promise<OutboxStats>;
  /** Cheap liveness check for /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
