// Group commit for SQLite: messages that finish in the same turn of the event loop share one
// IMMEDIATE transaction, so one WAL fsync (synchronous=FULL) covers all of them instead of one
// fsync each. Each message still runs in a savepoint of its own, so a message whose plan or
// writes fail rolls back alone and only its caller gets the error (451); the others commit. Every
// caller's promise settles only after the shared COMMIT returned, so "250 only after commit"
// holds for each message. Within a batch, work runs in arrival order, and each message's
// snapshot sees the writes of those before it: the same result as committing them one by one.
// Measured by `npm run bench:smtp` (the ratio to synchronous=OFF is the fsync cost left).
import type Database from 'better-sqlite3';

interface Pending<T> {
  work: () => T;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private queue: Array<Pending<unknown>> = [];
  private scheduled = false;

  /**
   * @param db the connection; work passed to `run` must be synchronous and use only it.
   * @param maxBatch upper bound on messages per transaction, so one COMMIT never waits on an
   *   unbounded queue (and a batch's latency stays that of a few messages).
   * @param onFailure maps an error thrown by one message's work, or by the shared transaction,
   *   to what that message's caller receives.
   */
  constructor(
    private readonly db: () => Database.Database,
    private readonly onFailure: (err: unknown) => unknown,
    private readonly maxBatch = 64,
  ) {}

  /** Runs `work` inside the next shared transaction; settles after that transaction commits. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve, reject } as Pending<unknown>);
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate runs after the I/O callbacks of this loop turn: the other connections
        // whose messages ended in the same turn have queued theirs by then.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is queued now, without waiting for the scheduled turn (before a close). */
  drain(): void {
    this.flush();
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.commit(batch);
    }
  }

  private commit(batch: Array<Pending<unknown>>): void {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = [];
    try {
      const db = this.db();
      db.transaction(() => {
        for (const p of batch) {
          try {
            // A nested better-sqlite3 transaction is a SAVEPOINT: a throw rolls back this one only.
            outcomes.push({ ok: true, value: db.transaction(p.work)() });
          } catch (err) {
            outcomes.push({ ok: false, err });
          }
        }
      }).immediate();
    } catch (err) {
      // BEGIN or COMMIT failed (locked, disk full, closed): nothing of the batch is durable.
      for (const p of batch) p.reject(this.onFailure(err));
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) p.resolve(o.value);
      else p.reject(this.onFailure(o.err));
    });
  }
}
