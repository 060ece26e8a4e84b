// The outbox half of the store: due rows are leased so two relays never send the same row at
// once, and every attempt's outcome is recorded in the row (the retry schedule survives restarts).
import t from 'tap';
import { join } from 'node:path';
import { emptyPlan, message, openStore, outbox, query, request } from './fixtures/builders.js';

const at = (s: number) => new Date(Date.UTC(2024, 4, 1, 10, 0, s));

async function seeded(dir: string) {
  const store = await openStore(dir);
  await store.commitMessage(message('m'), request([]), () => emptyPlan({
    outbox: [outbox('msg_1', at(0).toISOString()), outbox('msg_2', at(1).toISOString()), outbox('msg_3', at(30).toISOString())],
  }));
  return store;
}

t.test('claim returns due rows oldest first, up to the limit', async t => {
  const store = await seeded(t.testdir());
  t.same((await store.claimOutbox(at(10), 1, 60_000)).map(r => r.webhookId), ['msg_1']);
  const rows = await store.claimOutbox(at(10), 10, 60_000);
  t.same(rows.map(r => r.webhookId), ['msg_2'], 'msg_1 is leased, msg_3 not due yet');
  t.match(rows[0], { type: 'recipient.state_changed', attempts: 0, createdAt: at(1).toISOString(), nextAttemptAt: at(1).toISOString() });
  t.match(JSON.parse(rows[0]!.body), { data: { id: 'msg_2' } });
  await store.close();
});

t.test('a second claim inside the lease window gets nothing; after it the rows come back', async t => {
  const store = await seeded(t.testdir());
  t.equal((await store.claimOutbox(at(10), 10, 5_000)).length, 2);
  t.same(await store.claimOutbox(at(14), 10, 5_000), [], 'still leased');
  t.same((await store.claimOutbox(at(16), 10, 5_000)).map(r => r.webhookId), ['msg_1', 'msg_2'], 'lease expired (worker died)');
  await store.close();
});

t.test('markFailed reschedules and clears the lease; null makes a dead letter', async t => {
  const dir = t.testdir();
  const store = await seeded(dir);
  const [r1, r2] = await store.claimOutbox(at(10), 10, 60_000);
  await store.markFailed(r1!.id, 'HTTP 500', at(20));
  await store.markFailed(r2!.id, 'HTTP 410', null);
  t.same(await store.claimOutbox(at(19), 10, 60_000), [], 'not due before its next attempt');
  const again = await store.claimOutbox(at(20), 10, 60_000);
  t.match(again, [{ webhookId: 'msg_1', attempts: 1, nextAttemptAt: at(20).toISOString() }]);
  t.match(query(join(dir, 'store.db'), 'SELECT webhook_id, status, attempts, last_error, leased_until FROM outbox ORDER BY id'), [
    { webhook_id: 'msg_1', status: 'pending', attempts: 1, last_error: 'HTTP 500' },
    { webhook_id: 'msg_2', status: 'dead', attempts: 1, last_error: 'HTTP 410', leased_until: null },
    { webhook_id: 'msg_3', status: 'pending', attempts: 0 },
  ]);
  await store.close();
});

t.test('markDelivered finishes a row for good', async t => {
  const dir = t.testdir();
  const store = await seeded(dir);
  const [r1] = await store.claimOutbox(at(10), 1, 60_000);
  await store.markDelivered(r1!.id, at(11));
  t.same((await store.claimOutbox(at(3600), 10, 1)).map(r => r.webhookId), ['msg_2', 'msg_3']);
  t.match(query(join(dir, 'store.db'), 'SELECT * FROM outbox WHERE id = ?', r1!.id), [
    { status: 'delivered', delivered_at: at(11).toISOString(), attempts: 1, leased_until: null, last_error: null },
  ]);
  await store.close();
});

t.test('outbox stats count pending and dead rows and age the oldest pending one', async t => {
  const store = await seeded(t.testdir());
  t.same(await store.outboxStats(at(40)), { pending: 3, oldestAgeSeconds: 40, dead: 0 });
  const [r1] = await store.claimOutbox(at(40), 1, 60_000);
  await store.markFailed(r1!.id, 'gone', null);
  t.same(await store.outboxStats(at(40)), { pending: 2, oldestAgeSeconds: 39, dead: 1 });
  await store.close();
});

t.test('an empty outbox reports zero age', async t => {
  const store = await openStore(t.testdir());
  t.same(await store.outboxStats(at(0)), { pending: 0, oldestAgeSeconds: 0, dead: 0 });
  await store.close();
});
