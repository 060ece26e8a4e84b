// commitMessage is the "250 only after commit" half of the SMTP promise: all of a message's
// effects land together or not at all, a retried message is recognised, and policy sees exactly
// the history windows it asked for.
import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../src/errors.js';
import type { Plan, Snapshot } from '../../src/domain/state.js';
import {
  count, emptyPlan, event, message, openStore, outbox, query, recipientRow, request, T0, TABLES,
} from './fixtures/builders.js';

const A = 'alice@contoso.com';
const B = 'bob@fabrikam.com';

function fullPlan(at = T0): Plan {
  return emptyPlan({
    events: [event(A, at), event(B, at, { reason: 'mailboxfull', side: 'recipient', status: '5.2.2' })],
    recipients: [recipientRow(A, at)],
    streams: [{ stream: 'newsletter', state: 'ok', why: null, since: at, updatedAt: at }],
    decisions: [{ subject: 'recipient', key: A, from: 'active', to: 'suppress', policyRule: 'suppress.unknown_user', why: 'confirmed unknown user', at }],
    outbox: [outbox('msg_alice_suppress', at)],
  });
}

t.test('a commit writes message, raw bytes, events, states, decisions and outbox together', async t => {
  const dir = t.testdir();
  const db = join(dir, 'store.db');
  const store = await openStore(dir);
  const msg = message('first');
  const res = await store.commitMessage(msg, request([A, B]), () => fullPlan());
  t.same(res, { messageId: 1, duplicate: false });
  const [m] = query(db, 'SELECT * FROM messages');
  t.match(m, { key: msg.key, status: 'processed', envelope_to: '["bounces+s1@bounce.example.com"]', size: msg.raw.length, kind: 'dsn', error: null });
  t.ok((query<{ bytes: Buffer }>(db, 'SELECT bytes FROM raw_messages')[0]?.bytes)?.equals(msg.raw), 'raw bytes kept verbatim');
  t.same(query(db, 'SELECT message_key, recipient, reason FROM bounce_events ORDER BY id'), [
    { message_key: msg.key, recipient: A, reason: 'userunknown' },
    { message_key: msg.key, recipient: B, reason: 'mailboxfull' },
  ]);
  t.same(await store.getRecipient(A), recipientRow(A, T0));
  t.equal(await store.getRecipient(B), undefined);
  t.same(await store.getStream('newsletter'), { stream: 'newsletter', state: 'ok', why: null, since: T0, updatedAt: T0 });
  t.match(query(db, 'SELECT * FROM decisions'), [{ message_id: 1, subject: 'recipient', key: A, from_state: 'active', to_state: 'suppress' }]);
  t.match(query(db, 'SELECT * FROM outbox'), [{ webhook_id: 'msg_alice_suppress', message_id: 1, status: 'pending', attempts: 0, next_attempt_at: T0 }]);
  await store.close();
});

t.test('a message whose key was committed is reported duplicate and its plan is not called', async t => {
  const dir = t.testdir();
  const store = await openStore(dir);
  const msg = message('again');
  await store.commitMessage(msg, request([A]), () => fullPlan());
  let called = false;
  const res = await store.commitMessage(msg, request([A]), () => { called = true; return fullPlan(); });
  t.same(res, { messageId: 1, duplicate: true });
  t.notOk(called);
  for (const table of ['messages', 'bounce_events', 'outbox']) t.equal(count(join(dir, 'store.db'), table), table === 'bounce_events' ? 2 : 1, table);
  await store.close();
});

t.test('a later recipient upsert replaces the row', async t => {
  const store = await openStore(t.testdir());
  await store.commitMessage(message('one'), request([A]), () => emptyPlan({ recipients: [recipientRow(A, T0, { state: 'keep_testing' })] }));
  const later = '2024-05-02T10:00:00.000Z';
  await store.commitMessage(message('two'), request([A]), () => emptyPlan({ recipients: [recipientRow(A, later, { state: 'pause', retestAt: '2024-05-09T10:00:00.000Z' })] }));
  t.match(await store.getRecipient(A), { state: 'pause', since: later, retestAt: '2024-05-09T10:00:00.000Z' });
  await store.close();
});

t.test('the snapshot holds the rows and exactly the events inside each window', async t => {
  const store = await openStore(t.testdir());
  const at = (d: number) => `2024-05-${String(d).padStart(2, '0')}T00:00:00.000Z`;
  const seed = message('seed');
  await store.commitMessage(seed, request([]), () => emptyPlan({
    events: [
      event(A, at(1)), event(A, at(5)), event(A, at(9)),
      event(B, at(2), { stream: 'receipts' }), event(B, at(8)),
    ],
    recipients: [recipientRow(A, at(9))],
    streams: [{ stream: 'newsletter', state: 'escalate', why: 'dmarc', since: at(8), updatedAt: at(8) }],
  }));
  let snap: Snapshot | undefined;
  const req = { recipients: [A, B, A, 'nobody@example.org'], stream: 'newsletter', recipientSince: at(5), streamSince: at(8) };
  await store.commitMessage(message('look'), req, s => { snap = s; return emptyPlan(); });
  const days = (evs: { at: string }[] | undefined) => evs?.map(e => e.at.slice(8, 10));
  t.same([...snap!.recipients.keys()], [A, B, 'nobody@example.org'], 'one entry per distinct address');
  t.same(days(snap!.recipients.get(A)?.events), ['05', '09'], 'window start is inclusive');
  t.same(days(snap!.recipients.get(B)?.events), ['08'], 'events of any stream count for the recipient');
  t.same(snap!.recipients.get('nobody@example.org'), { row: undefined, events: [] });
  t.match(snap!.recipients.get(A)?.row, { state: 'suppress', since: at(9) });
  t.same(days(snap!.stream.events), ['08', '09'], 'stream window only holds that stream');
  t.same(snap!.stream.events.map(e => e.recipient), [B, A]);
  t.match(snap!.stream.row, { state: 'escalate', why: 'dmarc' });
  t.same(snap!.recipients.get(A)?.events[0], {
    recipient: A, recipientDomain: 'contoso.com', reason: 'userunknown', side: 'recipient',
    family: 'unknown_user', action: 'failed', messageKey: seed.key, at: at(5),
  }, 'events carry the key of the message that brought them');
  await store.close();
});

t.test('a SQLite failure mid-plan rolls the whole message back; a retry then succeeds', async t => {
  const dir = t.testdir();
  const db = join(dir, 'store.db');
  const store = await openStore(dir);
  const msg = message('rollback');
  const bad = fullPlan();
  bad.outbox.push(outbox('msg_alice_suppress')); // UNIQUE(webhook_id) fails on the last write
  const err = await store.commitMessage(msg, request([A]), () => bad).catch((e: unknown) => e);
  t.ok(err instanceof AppError, 'an AppError');
  t.equal((err as AppError).code, 'STORE_UNAVAILABLE');
  t.match(String(((err as AppError).cause as Error).message), /UNIQUE/, 'the SQLite cause is kept');
  for (const table of TABLES) t.equal(count(db, table), 0, `${table} is empty`);
  t.same(await store.commitMessage(msg, request([A]), () => fullPlan()), { messageId: 1, duplicate: false });
  t.equal(count(db, 'outbox'), 1);
  await store.close();
});

t.test('a plan that throws rolls back and its own error reaches the caller', async t => {
  const dir = t.testdir();
  const store = await openStore(dir);
  const msg = message('plan bug');
  const boom = new RangeError('policy bug');
  await t.rejects(store.commitMessage(msg, request([A]), () => { throw boom; }), boom);
  for (const table of TABLES) t.equal(count(join(dir, 'store.db'), table), 0, `${table} is empty`);
  t.same(await store.commitMessage(msg, request([A]), () => fullPlan()), { messageId: 1, duplicate: false });
  await store.close();
});

t.test('a closed store answers STORE_UNAVAILABLE; a reopened one accepts the retry', async t => {
  const dir = t.testdir();
  const store = await openStore(dir);
  await store.close();
  const msg = message('closed');
  await t.rejects(store.commitMessage(msg, request([A]), () => fullPlan()), { code: 'STORE_UNAVAILABLE', message: /closed/ });
  await t.rejects(store.getRecipient(A), { code: 'STORE_UNAVAILABLE' });
  const again = await openStore(dir);
  t.same(await again.commitMessage(msg, request([A]), () => fullPlan()), { messageId: 1, duplicate: false });
  await again.close();
});

t.test('a store used before init says so', async t => {
  const { openSqliteStore } = await import('../../src/store/sqlite.js');
  const store = openSqliteStore({ path: join(t.testdir(), 'x.db') });
  await t.rejects(store.outboxStats(new Date()), { code: 'STORE_UNAVAILABLE', message: /not initialised/ });
});

t.test('a database locked by another writer gives STORE_UNAVAILABLE after the busy timeout', async t => {
  const dir = t.testdir();
  const store = await openStore(dir, 'store.db', 20);
  const other = new Database(join(dir, 'store.db'));
  other.exec('BEGIN IMMEDIATE');
  const msg = message('locked');
  await t.rejects(store.commitMessage(msg, request([A]), () => fullPlan()), { code: 'STORE_UNAVAILABLE', message: /locked|busy/i });
  other.exec('ROLLBACK');
  other.close();
  t.same(await store.commitMessage(msg, request([A]), () => fullPlan()), { messageId: 1, duplicate: false });
  await store.close();
});

t.test('quarantine keeps the message, its error and raw bytes, once', async t => {
  const dir = t.testdir();
  const db = join(dir, 'store.db');
  const store = await openStore(dir);
  const msg = message('garbage');
  t.same(await store.quarantine(msg, 'no DSN part'), { messageId: 1, duplicate: false });
  t.same(await store.quarantine(msg, 'no DSN part'), { messageId: 1, duplicate: true });
  t.match(query(db, 'SELECT status, error FROM messages'), [{ status: 'quarantined', error: 'no DSN part' }]);
  t.equal(count(db, 'raw_messages'), 1);
  await store.close();
});

t.test('a quarantined message replayed through commitMessage is processed under its row', async t => {
  const dir = t.testdir();
  const db = join(dir, 'store.db');
  const store = await openStore(dir);
  const msg = message('replay me');
  await store.quarantine(msg, 'parser bug');
  t.same(await store.commitMessage(msg, request([A]), () => fullPlan()), { messageId: 1, duplicate: false });
  t.match(query(db, 'SELECT status, error FROM messages'), [{ status: 'processed', error: null }]);
  t.equal(count(db, 'raw_messages'), 1);
  t.same(await store.quarantine(msg, 'again'), { messageId: 1, duplicate: true }, 'processed stays processed');
  await store.close();
});

t.test('messages committed together share a transaction, yet each commits or fails alone', async t => {
  const dir = t.testdir();
  const db = join(dir, 'store.db');
  const store = await openStore(dir);
  const boom = new RangeError('policy bug');
  const bad = fullPlan();
  bad.outbox.push(outbox('msg_alice_suppress')); // UNIQUE(webhook_id) fails inside this message
  const seen: Array<number> = [];
  // Started in the same turn of the event loop: one group commit.
  const results = await Promise.allSettled([
    store.commitMessage(message('g1'), request([A]), snap => { seen.push(snap.recipients.get(A)?.events.length ?? -1); return emptyPlan({ events: [event(A, T0)], recipients: [recipientRow(A, T0)] }); }),
    store.commitMessage(message('g2'), request([A]), () => { throw boom; }),
    store.commitMessage(message('g3'), request([A]), () => bad),
    // Sees g1's event: a message's snapshot includes the writes of those before it in the batch.
    store.commitMessage(message('g4'), request([A]), snap => { seen.push(snap.recipients.get(A)?.events.length ?? -1); return emptyPlan({ events: [event(A, T0)] }); }),
    // The same message twice in one batch: the second is a duplicate, as it would be one by one.
    store.commitMessage(message('g1'), request([A]), () => t.fail('the plan of a duplicate is not called') as never),
  ]);
  t.match(results[0], { status: 'fulfilled', value: { messageId: 1, duplicate: false } });
  t.match(results[1], { status: 'rejected', reason: boom }, 'a plan error reaches its own caller');
  t.match(results[2], { status: 'rejected', reason: { code: 'STORE_UNAVAILABLE' } }, 'a SQLite failure reaches its own caller');
  t.match(results[3], { status: 'fulfilled', value: { duplicate: false } });
  t.match(results[4], { status: 'fulfilled', value: { messageId: 1, duplicate: true } });
  t.same(seen, [0, 1], 'g4 planned on a snapshot holding g1\'s event');
  t.same(query(db, 'SELECT key FROM messages ORDER BY id').map(r => (r as { key: string }).key), [message('g1').key, message('g4').key], 'only the good messages stay');
  t.equal(count(db, 'outbox'), 0, 'nothing of the failed message stays');
  t.equal(count(db, 'bounce_events'), 2);
  // The failed ones are retried (the MTA got 451) and commit.
  t.match(await store.commitMessage(message('g3'), request([A]), () => fullPlan('2024-05-01T11:00:00.000Z')), { duplicate: false });
  await store.close();
});

t.test('a batch whose transaction cannot start fails every message in it, and nothing is written', async t => {
  const dir = t.testdir();
  const store = await openStore(dir, 'store.db', 20);
  const other = new Database(join(dir, 'store.db'));
  other.exec('BEGIN IMMEDIATE');
  const results = await Promise.allSettled([1, 2, 3].map(i => store.commitMessage(message(`l${i}`), request([A]), () => fullPlan())));
  other.exec('ROLLBACK');
  other.close();
  for (const r of results) t.match(r, { status: 'rejected', reason: { code: 'STORE_UNAVAILABLE' } });
  t.equal(count(join(dir, 'store.db'), 'messages'), 0);
  await store.close();
});

t.test('close commits the messages already handed over before it closes', async t => {
  const dir = t.testdir();
  const store = await openStore(dir);
  const pending = store.commitMessage(message('last'), request([A]), () => fullPlan());
  await store.close();
  t.same(await pending, { messageId: 1, duplicate: false });
  t.equal(count(join(dir, 'store.db'), 'messages'), 1);
});
