// Numbered schema migrations for the SQLite store, kept as a TS module (not .sql files) because
// tsc does not copy .sql files into dist/ and a daemon that cannot find its schema is worse than
// SQL inside a template string. Rules: never edit a shipped migration, append a new version;
// each runs in its own IMMEDIATE transaction and is recorded in `schema_migrations`, so two
// processes starting at once on the same file apply each version exactly once.
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Vocabulary columns (reason, side, state, ...) carry no CHECK constraints on purpose: widening
// a CHECK in SQLite means rebuilding the table, and the closed vocabularies are validated in
// code (src/domain/vocab.ts). Only the store's own status columns are checked here.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE messages (
        id             INTEGER PRIMARY KEY,
        key            TEXT NOT NULL UNIQUE,
        received_at    TEXT NOT NULL,
        envelope_from  TEXT NOT NULL,
        envelope_to    TEXT NOT NULL,          -- JSON array
        remote_address TEXT,
        size           INTEGER NOT NULL,
        kind           TEXT NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('processed', 'quarantined')),
        error          TEXT
      );
      CREATE INDEX messages_received_at ON messages (received_at);

      CREATE TABLE raw_messages (
        message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        bytes      BLOB NOT NULL
      );

      CREATE TABLE bounce_events (
        id               INTEGER PRIMARY KEY,
        message_id       INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        message_key      TEXT NOT NULL,
        recipient        TEXT NOT NULL,
        recipient_domain TEXT NOT NULL,
        stream           TEXT NOT NULL,
        action           TEXT NOT NULL,
        status           TEXT NOT NULL,
        reply_code       TEXT,
        reason           TEXT NOT NULL,
        side             TEXT NOT NULL,
        detail           TEXT,
        provider         TEXT NOT NULL,
        family           TEXT NOT NULL,
        rule             TEXT NOT NULL,
        remote_mta       TEXT,
        stage            TEXT NOT NULL,
        diagnostic       TEXT NOT NULL,
        at               TEXT NOT NULL
      );
      CREATE INDEX bounce_events_recipient_at ON bounce_events (recipient, at);
      CREATE INDEX bounce_events_stream_at ON bounce_events (stream, at);
      CREATE INDEX bounce_events_message ON bounce_events (message_id);

      CREATE TABLE recipients (
        address     TEXT PRIMARY KEY,
        domain      TEXT NOT NULL,
        state       TEXT NOT NULL,
        reason      TEXT,
        side        TEXT,
        detail      TEXT,
        rule        TEXT,
        policy_rule TEXT,
        since       TEXT NOT NULL,
        retest_at   TEXT,
        updated_at  TEXT NOT NULL
      );
      CREATE INDEX recipients_state ON recipients (state);

      CREATE TABLE streams (
        stream     TEXT PRIMARY KEY,
        state      TEXT NOT NULL,
        why        TEXT,
        since      TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE decisions (
        id          INTEGER PRIMARY KEY,
        message_id  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        subject     TEXT NOT NULL CHECK (subject IN ('recipient', 'stream')),
        key         TEXT NOT NULL,
        from_state  TEXT NOT NULL,
        to_state    TEXT NOT NULL,
        policy_rule TEXT NOT NULL,
        why         TEXT NOT NULL,
        at          TEXT NOT NULL
      );
      CREATE INDEX decisions_subject_key_at ON decisions (subject, key, at);

      CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        webhook_id      TEXT NOT NULL UNIQUE,
        message_id      INTEGER REFERENCES messages (id) ON DELETE SET NULL,
        type            TEXT NOT NULL,
        body            TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        leased_until    TEXT,
        last_error      TEXT,
        delivered_at    TEXT,
        status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead'))
      );
      CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
    `,
  },
  {
    version: 2,
    name: 'escalation lookup index',
    // The escalation snapshot asks for one stream's failed events of one provider family in a
    // window; (stream, at) alone made that a scan of the stream's whole window per message.
    sql: 'CREATE INDEX bounce_events_stream_family ON bounce_events (stream, family, action, at);',
  },
  {
    version: 3,
    name: 'state machine: domains, deliveries, evidence, decision inputs',
    // decisions is rebuilt (SQLite cannot relax NOT NULL or widen a CHECK in place): overrides
    // and time-based transitions have no message, and domains became a decision subject.
    sql: `
      ALTER TABLE recipients ADD COLUMN pause_count INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX recipients_state_retest ON recipients (state, retest_at);
      ALTER TABLE bounce_events ADD COLUMN evidence TEXT;      -- JSON evidence pack

      CREATE TABLE domains (
        domain      TEXT PRIMARY KEY,
        state       TEXT NOT NULL,
        why         TEXT,
        policy_rule TEXT,
        since       TEXT NOT NULL,
        retest_at   TEXT,
        updated_at  TEXT NOT NULL
      );
      CREATE INDEX domains_state_retest ON domains (state, retest_at);

      CREATE TABLE deliveries (
        id               INTEGER PRIMARY KEY,
        recipient        TEXT NOT NULL,
        recipient_domain TEXT NOT NULL,
        stream           TEXT NOT NULL,
        at               TEXT NOT NULL,
        received_at      TEXT NOT NULL
      );
      CREATE INDEX deliveries_recipient_at ON deliveries (recipient, at);
      CREATE INDEX deliveries_domain_at ON deliveries (recipient_domain, at);

      CREATE TABLE decisions_v3 (
        id          INTEGER PRIMARY KEY,
        message_id  INTEGER REFERENCES messages (id) ON DELETE CASCADE,
        subject     TEXT NOT NULL CHECK (subject IN ('recipient', 'stream', 'domain')),
        key         TEXT NOT NULL,
        from_state  TEXT NOT NULL,
        to_state    TEXT NOT NULL,
        policy_rule TEXT NOT NULL,
        why         TEXT NOT NULL,
        inputs      TEXT,                                    -- JSON: counts, thresholds, verdict
        actor       TEXT,                                    -- operator:<name> for overrides
        at          TEXT NOT NULL
      );
      INSERT INTO decisions_v3 (id, message_id, subject, key, from_state, to_state, policy_rule, why, at)
        SELECT id, message_id, subject, key, from_state, to_state, policy_rule, why, at FROM decisions;
      DROP TABLE decisions;
      ALTER TABLE decisions_v3 RENAME TO decisions;
      CREATE INDEX decisions_subject_key_at ON decisions (subject, key, at);
    `,
  },
];

/** Applies every migration newer than the recorded version; returns the versions applied. */
export function runMigrations(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  checkOrder(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const current = db.prepare('SELECT max(version) AS v FROM schema_migrations').pluck();
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const newest = migrations.at(-1)?.version ?? 0;
  const recorded = (current.get() as number | null) ?? 0;
  if (recorded > newest) {
    // A newer binary migrated this file; running old code on it could corrupt data silently.
    throw new Error(`database schema version ${recorded} is newer than this build knows (${newest})`);
  }
  const applied: number[] = [];
  for (const m of migrations) {
    const apply = db.transaction(() => {
      // Re-read inside the write lock: another process may have applied it meanwhile.
      if (((current.get() as number | null) ?? 0) >= m.version) return;
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
      applied.push(m.version);
    });
    apply.immediate();
  }
  return applied;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}, expected ${i + 1}`);
  });
}
