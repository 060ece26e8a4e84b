// The prepared statements of the SQLite store's write path and snapshot (reads for the API live
// in sqlite-read.ts). Prepared once per connection: the SMTP hot path never compiles SQL.
import type Database from 'better-sqlite3';
import {
  INSERT_DECISION, INSERT_DELIVERY, INSERT_EVENT, INSERT_OUTBOX, UPSERT_DOMAIN, UPSERT_RECIPIENT, UPSERT_STREAM,
} from './sqlite-rows.js';

export function prepare(db: Database.Database) {
  const s = (sql: string) => db.prepare(sql);
  return {
    messageByKey: s('SELECT id, status FROM messages WHERE key = ?'),
    insertMessage: s(`INSERT INTO messages (key, received_at, envelope_from, envelope_to,
      remote_address, size, kind, status, error) VALUES (@key, @received_at, @envelope_from,
      @envelope_to, @remote_address, @size, @kind, @status, @error)`),
    insertRaw: s('INSERT INTO raw_messages (message_id, bytes) VALUES (?, ?)'),
    markProcessed: s(`UPDATE messages SET status = 'processed', error = NULL WHERE id = ?`),
    recipient: s('SELECT * FROM recipients WHERE address = ?'),
    stream: s('SELECT * FROM streams WHERE stream = ?'),
    // Reported deliveries are success evidence: they join the recipient's history as events.
    recipientEvents: s(`SELECT recipient, recipient_domain, reason, side, family, action, message_key, at
      FROM bounce_events WHERE recipient = @r AND at >= @since
      UNION ALL SELECT recipient, recipient_domain, 'delivered', 'none', 'other', 'delivered', 'delivery:' || id, at
      FROM deliveries WHERE recipient = @r AND at >= @since ORDER BY at`),
    streamEvents: s(`SELECT recipient, recipient_domain, reason, side, family, action,
      message_key, at FROM bounce_events WHERE stream = ? AND at >= ? ORDER BY at, id`),
    // SQLite returns the other columns of the row holding max(at) (bare columns with max()).
    streamDomainEvents: s(`SELECT recipient, recipient_domain, reason, side, family, action,
      message_key, max(at) AS at FROM bounce_events
      WHERE stream = ? AND at >= ? AND family = ? AND action = 'failed'
        AND side IN (SELECT value FROM json_each(?))
      GROUP BY recipient_domain ORDER BY at`),
    insertEvent: s(INSERT_EVENT),
    upsertRecipient: s(UPSERT_RECIPIENT),
    upsertStream: s(UPSERT_STREAM),
    upsertDomain: s(UPSERT_DOMAIN),
    insertDelivery: s(INSERT_DELIVERY),
    domain: s('SELECT * FROM domains WHERE domain = ?'),
    insertDecision: s(INSERT_DECISION),
    insertOutbox: s(INSERT_OUTBOX),
    due: s(`SELECT id, webhook_id, type, body, attempts, created_at, next_attempt_at FROM outbox
      WHERE status = 'pending' AND next_attempt_at <= @now
        AND (leased_until IS NULL OR leased_until < @now)
      ORDER BY id LIMIT @limit`),
    lease: s('UPDATE outbox SET leased_until = ? WHERE id = ?'),
    delivered: s(`UPDATE outbox SET status = 'delivered', delivered_at = ?, attempts = attempts + 1,
      leased_until = NULL, last_error = NULL WHERE id = ?`),
    retry: s(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
      leased_until = NULL WHERE id = ?`),
    dead: s(`UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = ?,
      leased_until = NULL WHERE id = ?`),
    pendingStats: s(`SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE status = 'pending'`),
    deadCount: s(`SELECT count(*) FROM outbox WHERE status = 'dead'`).pluck(),
    ping: s('SELECT 1').pluck(),
  };
}
export type Statements = ReturnType<typeof prepare>;
