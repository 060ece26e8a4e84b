// The default Store: one SQLite file, one process. better-sqlite3 is synchronous, which is what
// makes "load snapshot → plan → write" a single short IMMEDIATE transaction with no await in
// the middle (nothing else can interleave, so policy never decides on a stale snapshot).
// Every database failure leaves as AppError('STORE_UNAVAILABLE') so ingest answers 451 and the
// MTA retries; the transaction guarantees nothing partial stays behind.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import type { IncomingMessage, NewDelivery, Plan, Snapshot, SnapshotRequest } from '../domain/state.js';
import type { CommitResult, OutboxStats, Store } from './store.js';
import { GroupCommit } from './group-commit.js';
import { runMigrations } from './sqlite-migrations.js';
import { counts, due, history, listDomains, listRecipients, listStreams, prepareReads, type Reads, topDomains } from './sqlite-read.js';
import {
  decisionParams, deliveryParams, domainParams, eventParams, outboxParams, recipientParams, streamParams,
  toDomain, toEventSummary, toOutbox, toRecipient, toStream,
  type DomainDbRow, type EventDbRow, type OutboxDbRow, type RecipientDbRow, type StreamDbRow,
} from './sqlite-rows.js';
import { prepare, type Statements } from './sqlite-statements.js';

export interface SqliteStoreOptions {
  /** File path, or `:memory:` (tests). The parent directory is created when missing. */
  path: string;
  /** How long a writer waits for another connection's lock before failing (ms). */
  busyTimeoutMs?: number;
  /**
   * Default FULL. In WAL mode NORMAL survives a process crash but may lose the last commits on
   * power loss or an OS crash (https://www.sqlite.org/pragma.html#pragma_synchronous). We answer
   * 250 only after commit and the MTA then deletes its copy, so a lost commit is a silently lost
   * bounce: FULL (one WAL fsync per commit, shared by a group commit's messages) is the price of
   * keeping that promise. NORMAL is there for disposable deployments and benchmarks.
   */
  synchronous?: 'FULL' | 'NORMAL';
}

export function openSqliteStore(opts: SqliteStoreOptions): Store {
  return new SqliteStore(opts);
}

/** Marks an exception thrown by the caller's plan, so it is not mistaken for a store failure. */
class PlanFailure {
  constructor(readonly cause: unknown) {}
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private db: Database.Database | undefined;
  private st: Statements | undefined;
  private reads: Reads | undefined;
  private closed = false;
  // Messages share transactions (one fsync for all that end in the same loop turn), each in
  // its own savepoint: see group-commit.ts.
  private readonly group = new GroupCommit(
    () => this.open('commit message').db,
    err => (err instanceof PlanFailure ? err.cause : err instanceof AppError ? err : unavailable('cannot commit message', err)),
  );

  constructor(private readonly opts: SqliteStoreOptions) {}

  async init(): Promise<void> {
    if (this.db) return;
    try {
      const { path } = this.opts;
      if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
      const db = new Database(path, { timeout: this.opts.busyTimeoutMs ?? 5000 });
      try {
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${this.opts.synchronous ?? 'FULL'}`);
        db.pragma('foreign_keys = ON');
        runMigrations(db);
        this.st = prepare(db);
        this.reads = prepareReads(db);
      } catch (err) {
        db.close();
        throw err;
      }
      this.db = db;
      this.closed = false;
    } catch (err) {
      throw unavailable('cannot open the SQLite store', err);
    }
  }

  async commitMessage(msg: IncomingMessage, request: SnapshotRequest, plan: (snap: Snapshot) => Plan): Promise<CommitResult> {
    return this.group.run((): CommitResult => {
      const { st } = this.open('commit message');
      const existing = st.messageByKey.get(msg.key) as { id: number; status: string } | undefined;
      if (existing?.status === 'processed') return { messageId: existing.id, duplicate: true };
      let messageId: number;
      if (existing) {
        // A quarantined message replayed after a parser fix: process it under the same row.
        messageId = existing.id;
        st.markProcessed.run(messageId);
      } else {
        messageId = this.insertMessage(st, msg, 'processed', null);
      }
      this.planAndWrite(st, request, plan, messageId, msg.key);
      return { messageId, duplicate: false };
    });
  }

  async commitDeliveries(deliveries: NewDelivery[], request: SnapshotRequest, plan: (snap: Snapshot) => Plan): Promise<void> {
    const receivedAt = new Date().toISOString();
    this.guard('commit deliveries', (db, st) => db.transaction(() => {
      for (const d of deliveries) st.insertDelivery.run(deliveryParams(d, receivedAt));
      this.planAndWrite(st, request, plan, null, null);
    }).immediate());
  }

  async commitPlan(request: SnapshotRequest, plan: (snap: Snapshot) => Plan): Promise<void> {
    this.guard('commit decisions', (db, st) => db.transaction(() => this.planAndWrite(st, request, plan, null, null)).immediate());
  }

  /** Inside a transaction: snapshot → plan → write every part of it. */
  private planAndWrite(st: Statements, request: SnapshotRequest, plan: (snap: Snapshot) => Plan, messageId: number | null, key: string | null): void {
    let result: Plan;
    try {
      result = plan(this.snapshot(st, request));
    } catch (err) {
      throw new PlanFailure(err);
    }
    if (result.events.length > 0 && (messageId === null || key === null)) throw new Error('bounce events need a message');
    for (const e of result.events) st.insertEvent.run(eventParams(e, messageId as number, key as string));
    for (const r of result.recipients) st.upsertRecipient.run(recipientParams(r));
    for (const d of result.domains ?? []) st.upsertDomain.run(domainParams(d));
    for (const s of result.streams) st.upsertStream.run(streamParams(s));
    for (const d of result.decisions) st.insertDecision.run(decisionParams(d, messageId));
    for (const o of result.outbox) st.insertOutbox.run(outboxParams(o, messageId));
  }

  async dueForSweep(now: Date, limit: number) {
    return this.guard('read due rows', () => due(this.reads as Reads, now, limit));
  }

  async getDomain(domain: string) {
    return this.guard('read domain', (_db, st) => {
      const row = st.domain.get(domain) as DomainDbRow | undefined;
      return row && toDomain(row);
    });
  }

  async listRecipients(q: { state?: string; limit: number; cursor?: string }) {
    return this.guard('list recipients', () => listRecipients(this.reads as Reads, q));
  }

  async listStreams(q: { state?: string; limit: number; cursor?: string }) {
    return this.guard('list streams', () => listStreams(this.reads as Reads, q));
  }

  async listDomains(q: { state?: string; limit: number; cursor?: string }) {
    return this.guard('list domains', () => listDomains(this.reads as Reads, q));
  }

  async recipientHistory(address: string, limit: number) {
    return this.guard('read recipient history', () => history(this.reads as Reads, 'recipient', address, limit));
  }

  async streamHistory(stream: string, limit: number) {
    return this.guard('read stream history', () => history(this.reads as Reads, 'stream', stream, limit));
  }

  async counts() {
    return this.guard('count states', () => counts(this.reads as Reads));
  }

  async topDomains(limit: number, since: Date) {
    return this.guard('rank domains', () => topDomains(this.reads as Reads, limit, since));
  }

  async rawMessage(messageId: number) {
    return this.guard('read raw message', () => (this.reads as Reads).raw.get(messageId) as Buffer | undefined);
  }

  async quarantine(msg: IncomingMessage, error: string): Promise<CommitResult> {
    return this.guard('quarantine message', (db, st) => db.transaction((): CommitResult => {
      const existing = st.messageByKey.get(msg.key) as { id: number } | undefined;
      if (existing) return { messageId: existing.id, duplicate: true };
      return { messageId: this.insertMessage(st, msg, 'quarantined', error), duplicate: false };
    }).immediate());
  }

  async getRecipient(address: string) {
    return this.guard('read recipient', (_db, st) => {
      const row = st.recipient.get(address) as RecipientDbRow | undefined;
      return row && toRecipient(row);
    });
  }

  async getStream(stream: string) {
    return this.guard('read stream', (_db, st) => {
      const row = st.stream.get(stream) as StreamDbRow | undefined;
      return row && toStream(row);
    });
  }

  async claimOutbox(now: Date, limit: number, leaseMs: number) {
    const at = now.toISOString();
    const until = new Date(now.getTime() + leaseMs).toISOString();
    return this.guard('claim outbox', (db, st) => db.transaction(() => {
      const rows = st.due.all({ now: at, limit }) as OutboxDbRow[];
      for (const r of rows) st.lease.run(until, r.id);
      return rows.map(toOutbox);
    }).immediate());
  }

  async markDelivered(id: number, at: Date): Promise<void> {
    this.guard('mark delivered', (_db, st) => st.delivered.run(at.toISOString(), id));
  }

  async markFailed(id: number, error: string, nextAttemptAt: Date | null): Promise<void> {
    this.guard('mark failed', (_db, st) => nextAttemptAt
      ? st.retry.run(error, nextAttemptAt.toISOString(), id)
      : st.dead.run(error, id));
  }

  async outboxStats(now: Date): Promise<OutboxStats> {
    return this.guard('read outbox stats', (_db, st) => {
      const p = st.pendingStats.get() as { n: number; oldest: string | null };
      const age = p.oldest ? Math.max(0, (now.getTime() - Date.parse(p.oldest)) / 1000) : 0;
      return { pending: p.n, oldestAgeSeconds: age, dead: st.deadCount.get() as number };
    });
  }

  async ping(): Promise<boolean> {
    try {
      return this.guard('ping', (_db, st) => st.ping.get() === 1);
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    // Messages already handed to the group commit are committed (or refused) before the close.
    this.group.drain();
    this.closed = true;
    const db = this.db;
    this.db = undefined;
    this.st = undefined;
    this.reads = undefined;
    if (db?.open) db.close();
  }

  private insertMessage(st: Statements, msg: IncomingMessage, status: string, error: string | null): number {
    const info = st.insertMessage.run({
      key: msg.key, received_at: msg.receivedAt, envelope_from: msg.envelopeFrom,
      envelope_to: JSON.stringify(msg.envelopeTo), remote_address: msg.remoteAddress,
      size: msg.raw.length, kind: msg.kind, status, error,
    });
    const id = Number(info.lastInsertRowid);
    st.insertRaw.run(id, msg.raw);
    return id;
  }

  // Window bounds are compared as strings: every timestamp in this store is
  // Date#toISOString() output (fixed width, UTC), for which text order is time order.
  private snapshot(st: Statements, req: SnapshotRequest): Snapshot {
    const recipients: Snapshot['recipients'] = new Map();
    for (const address of req.recipients) {
      if (recipients.has(address)) continue;
      const row = st.recipient.get(address) as RecipientDbRow | undefined;
      const events = (st.recipientEvents.all({ r: address, since: req.recipientSince }) as EventDbRow[]).map(toEventSummary);
      recipients.set(address, { row: row && toRecipient(row), events });
    }
    const domains: Snapshot['domains'] = new Map();
    for (const domain of req.domains ?? []) {
      const row = st.domain.get(domain) as DomainDbRow | undefined;
      domains.set(domain, row && toDomain(row));
    }
    const row = st.stream.get(req.stream) as StreamDbRow | undefined;
    const f = req.streamFilter;
    const rows = f
      ? st.streamDomainEvents.all(req.stream, req.streamSince, f.family, JSON.stringify(f.sides))
      : st.streamEvents.all(req.stream, req.streamSince);
    const events = (rows as EventDbRow[]).map(toEventSummary);
    return { recipients, domains, stream: { row: row && toStream(row), events } };
  }

  /** Runs `fn` against the open database; any failure other than the plan's becomes STORE_UNAVAILABLE. */
  private guard<T>(what: string, fn: (db: Database.Database, st: Statements) => T): T {
    const { db, st } = this.open(what);
    try {
      return fn(db, st);
    } catch (err) {
      if (err instanceof PlanFailure) throw err.cause;
      throw unavailable(`cannot ${what}`, err);
    }
  }

  private open(what: string): { db: Database.Database; st: Statements } {
    if (!this.db || !this.st) {
      throw new AppError('STORE_UNAVAILABLE', `cannot ${what}: store is ${this.closed ? 'closed' : 'not initialised'}`);
    }
    return { db: this.db, st: this.st };
  }
}

function unavailable(what: string, cause: unknown): AppError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new AppError('STORE_UNAVAILABLE', `${what}: ${detail}`, [], { cause });
}
