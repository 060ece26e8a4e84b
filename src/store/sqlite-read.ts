// Read-only queries of the SQLite store for the HTTP API, the CLI and the sweeper: pages of rows
// by state (keyset pagination on the primary key, so a page never shifts while rows change),
// histories newest first, and the rows whose time-based transition is due.
import type Database from 'better-sqlite3';
import type { DomainRow, DueRows, RecipientRow, StreamRow } from '../domain/state.js';
import { SENDER_SIDES } from '../domain/vocab.js';
import type { Page } from './store.js';
import {
  type DecisionDbRow, type DomainDbRow, type EventFullDbRow, type RecipientDbRow, type StoredDecision,
  type StoredEvent, type StreamDbRow, toDomain, toRecipient, toStoredDecision, toStoredEvent, toStream,
} from './sqlite-rows.js';

const SENDER = JSON.stringify([...SENDER_SIDES]);

export function prepareReads(db: Database.Database) {
  const s = (sql: string) => db.prepare(sql);
  return {
    domain: s('SELECT * FROM domains WHERE domain = ?'),
    recipientsPage: s(`SELECT * FROM recipients WHERE (@state IS NULL OR state = @state) AND address > @after ORDER BY address LIMIT @limit`),
    streamsPage: s(`SELECT * FROM streams WHERE (@state IS NULL OR state = @state) AND stream > @after ORDER BY stream LIMIT @limit`),
    domainsPage: s(`SELECT * FROM domains WHERE (@state IS NULL OR state = @state) AND domain > @after ORDER BY domain LIMIT @limit`),
    eventsOfRecipient: s('SELECT * FROM bounce_events WHERE recipient = ? ORDER BY at DESC, id DESC LIMIT ?'),
    eventsOfStream: s('SELECT * FROM bounce_events WHERE stream = ? ORDER BY at DESC, id DESC LIMIT ?'),
    decisionsOf: s('SELECT * FROM decisions WHERE subject = ? AND key = ? ORDER BY at DESC, id DESC LIMIT ?'),
    raw: s('SELECT bytes FROM raw_messages WHERE message_id = ?').pluck(),
    dueRecipients: s(`SELECT * FROM recipients WHERE state = 'pause' AND retest_at <= ? ORDER BY retest_at LIMIT ?`),
    dueDomains: s(`SELECT * FROM domains WHERE state = 'pause' AND retest_at <= ? ORDER BY retest_at LIMIT ?`),
    recipientsByState: s('SELECT state, count(*) AS n FROM recipients GROUP BY state'),
    streamsEscalated: s(`SELECT count(*) FROM streams WHERE state = 'escalate'`).pluck(),
    domainsPaused: s(`SELECT count(*) FROM domains WHERE state = 'pause'`).pluck(),
    topDomains: s(`SELECT d FROM (
        SELECT recipient_domain AS d, count(*) AS n FROM bounce_events WHERE at >= @since GROUP BY recipient_domain
        UNION ALL SELECT recipient_domain, count(*) FROM deliveries WHERE at >= @since GROUP BY recipient_domain)
      GROUP BY d ORDER BY sum(n) DESC, d LIMIT @limit`).pluck(),
    escalated: s(`SELECT s.*, (SELECT max(e.at) FROM bounce_events e WHERE e.stream = s.stream AND e.family = 'microsoft'
        AND e.action = 'failed' AND e.side IN (SELECT value FROM json_each('${SENDER}'))) AS last_signal_at
      FROM streams s WHERE s.state = 'escalate' ORDER BY s.stream LIMIT ?`),
  };
}
export type Reads = ReturnType<typeof prepareReads>;

function page<D, T>(rows: D[], limit: number, map: (r: D) => T, key: (t: T) => string): Page<T> {
  const items = rows.slice(0, limit).map(map);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? Buffer.from(key(last)).toString('base64url') : null };
}

function args(q: { state?: string; limit: number; cursor?: string }) {
  return { state: q.state ?? null, after: q.cursor ? Buffer.from(q.cursor, 'base64url').toString('utf8') : '', limit: q.limit + 1 };
}

export function listRecipients(r: Reads, q: { state?: string; limit: number; cursor?: string }): Page<RecipientRow> {
  return page(r.recipientsPage.all(args(q)) as RecipientDbRow[], q.limit, toRecipient, x => x.address);
}

export function listStreams(r: Reads, q: { state?: string; limit: number; cursor?: string }): Page<StreamRow> {
  return page(r.streamsPage.all(args(q)) as StreamDbRow[], q.limit, toStream, x => x.stream);
}

export function listDomains(r: Reads, q: { state?: string; limit: number; cursor?: string }): Page<DomainRow> {
  return page(r.domainsPage.all(args(q)) as DomainDbRow[], q.limit, toDomain, x => x.domain);
}

export function history(r: Reads, subject: 'recipient' | 'stream', key: string, limit: number): { events: StoredEvent[]; decisions: StoredDecision[] } {
  const events = (subject === 'recipient' ? r.eventsOfRecipient : r.eventsOfStream).all(key, limit) as EventFullDbRow[];
  return { events: events.map(toStoredEvent), decisions: (r.decisionsOf.all(subject, key, limit) as DecisionDbRow[]).map(toStoredDecision) };
}

export function due(r: Reads, now: Date, limit: number): DueRows {
  const at = now.toISOString();
  return {
    recipients: (r.dueRecipients.all(at, limit) as RecipientDbRow[]).map(toRecipient),
    domains: (r.dueDomains.all(at, limit) as DomainDbRow[]).map(toDomain),
    streams: (r.escalated.all(limit) as Array<StreamDbRow & { last_signal_at: string | null }>).map(s => ({ row: toStream(s), lastSignalAt: s.last_signal_at })),
  };
}

export function counts(r: Reads): { recipients: Record<string, number>; streamsEscalated: number; domainsPaused: number } {
  const recipients: Record<string, number> = {};
  for (const row of r.recipientsByState.all() as Array<{ state: string; n: number }>) recipients[row.state] = row.n;
  return { recipients, streamsEscalated: r.streamsEscalated.get() as number, domainsPaused: r.domainsPaused.get() as number };
}

export function topDomains(r: Reads, limit: number, since: Date): string[] {
  return r.topDomains.all({ since: since.toISOString(), limit }) as string[];
}
