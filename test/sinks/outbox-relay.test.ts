// Delivery outcomes of the outbox relay against a real HTTP receiver: signed requests that the
// reference library verifies, retries with a stable webhook-id and growing backoff, 410 and
// max attempts as dead letters, timeouts, redirects, Retry-After, and restart survival.
import t from 'tap';
import { Webhook } from 'standardwebhooks';
import { openStore } from '../store/fixtures/builders.js';
import { body, iso, SECRET, setup, START } from './fixtures/harness.js';
import { scripted, startReceiver } from './fixtures/receiver.js';

t.test('a delivered request carries the exact body, Standard Webhooks headers and a valid signature', async t => {
  const h = await setup(t, scripted([{ status: 204 }]));
  t.equal(await h.relay.runOnce(), 1);
  const [req] = h.rx.requests;
  t.equal(req?.body, body('msg_one'), 'bytes sent = bytes stored');
  t.match(req?.headers, {
    'content-type': 'application/json', 'user-agent': 'bounce-triage-test',
    'webhook-id': 'msg_one', 'webhook-timestamp': String(START / 1000),
  });
  const verified = new Webhook(SECRET).verify(req!.body, req!.headers as Record<string, string>);
  t.match(verified, { type: 'recipient.state_changed', data: { id: 'msg_one' } });
  t.match(h.row('msg_one'), { status: 'delivered', attempts: 1, delivered_at: iso(START), leased_until: null });
  t.same(h.results, ['success']);
  t.equal(await h.relay.runOnce(), 0, 'nothing left to send');
});

t.test('500 twice then 200: three attempts, one webhook-id, growing next_attempt_at', async t => {
  const h = await setup(t, scripted([{ status: 500 }, { status: 500 }, { status: 200 }]));
  t.equal(await h.relay.runOnce(), 1);
  t.match(h.row('msg_one'), { status: 'pending', attempts: 1, last_error: 'HTTP 500', next_attempt_at: iso(START + 1_000), leased_until: null });
  t.equal(await h.relay.runOnce(), 0, 'not due before the backoff has passed');
  h.clock.ms = START + 1_000;
  t.equal(await h.relay.runOnce(), 1);
  t.match(h.row('msg_one'), { attempts: 2, next_attempt_at: iso(START + 1_000 + 2_000) }, 'base doubled');
  h.clock.ms = START + 3_000;
  t.equal(await h.relay.runOnce(), 1);
  t.match(h.row('msg_one'), { status: 'delivered', attempts: 3, last_error: null });
  t.same(h.rx.requests.map(r => r.headers['webhook-id']), ['msg_one', 'msg_one', 'msg_one']);
  t.same(h.rx.requests.map(r => Number(r.headers['webhook-timestamp']) - START / 1000), [0, 1, 3], 'timestamp of each attempt');
  for (const r of h.rx.requests) t.ok(new Webhook(SECRET).verify(r.body, r.headers as Record<string, string>), 'each attempt re-signed');
  t.same(h.results, ['server_error', 'server_error', 'success']);
});

t.test('410 Gone makes a dead letter at once', async t => {
  const h = await setup(t, scripted([{ status: 410 }]));
  await h.relay.runOnce();
  t.match(h.row('msg_one'), { status: 'dead', attempts: 1, last_error: 'HTTP 410' });
  t.same(h.results, ['gone']);
  h.clock.ms = START + 86_400_000;
  t.equal(await h.relay.runOnce(), 0, 'never retried');
});

t.test('the last allowed attempt failing makes a dead letter', async t => {
  const h = await setup(t, scripted([{ status: 400 }, { status: 503 }]), { backoff: { baseMs: 1_000, maxMs: 60_000, maxAttempts: 2, jitter: 0 } });
  await h.relay.runOnce();
  t.match(h.row('msg_one'), { status: 'pending', attempts: 1 });
  h.clock.ms = START + 1_000;
  await h.relay.runOnce();
  t.match(h.row('msg_one'), { status: 'dead', attempts: 2, last_error: 'HTTP 503' });
  t.same(h.results, ['client_error', 'server_error']);
});

t.test('a receiver that never answers is a timeout, retried later', async t => {
  const h = await setup(t, () => ({ status: 200, hold: 'hang' }), { timeoutMs: 150 });
  t.equal(await h.relay.runOnce(), 1);
  t.same(h.results, ['timeout']);
  t.match(h.row('msg_one'), { status: 'pending', attempts: 1, last_error: 'timeout after 150 ms', next_attempt_at: iso(START + 1_000) });
});

t.test('a redirect is a failure and is not followed', async t => {
  const h = await setup(t, scripted([{ status: 302, headers: { location: '/elsewhere' } }]));
  await h.relay.runOnce();
  t.equal(h.rx.requests.length, 1, 'only the original URL was called');
  t.same(h.results, ['client_error']);
  t.match(h.row('msg_one'), { status: 'pending', last_error: 'HTTP 302' });
});

t.test('a refused connection is a network error, retried later', async t => {
  const h = await setup(t, scripted([]));
  const gone = await startReceiver(scripted([]));
  const url = gone.url;
  await gone.close();
  const relay = h.makeRelay(h.store, { url });
  await relay.runOnce();
  t.same(h.results, ['network_error']);
  t.match(h.row('msg_one'), { status: 'pending', attempts: 1, last_error: /fetch failed: ECONNREFUSED/ });
});

t.test('Retry-After in seconds wins when it is longer than the backoff', async t => {
  const h = await setup(t, scripted([{ status: 429, headers: { 'retry-after': '120' } }, { status: 503, headers: { 'retry-after': '0' } }]));
  await h.relay.runOnce();
  t.match(h.row('msg_one'), { next_attempt_at: iso(START + 120_000) });
  h.clock.ms = START + 120_000;
  await h.relay.runOnce();
  t.match(h.row('msg_one'), { next_attempt_at: iso(START + 120_000 + 2_000) }, 'a shorter Retry-After keeps the backoff');
});

t.test('Retry-After as an HTTP date is honoured', async t => {
  const later = new Date(START + 300_000).toUTCString();
  const h = await setup(t, scripted([{ status: 503, headers: { 'retry-after': later } }]));
  await h.relay.runOnce();
  t.match(h.row('msg_one'), { next_attempt_at: iso(START + 300_000) });
});

t.test('a relay stopped and re-created on the same file picks up the pending row', async t => {
  const h = await setup(t, scripted([{ status: 503 }, { status: 200 }]));
  await h.relay.runOnce();
  await h.relay.stop();
  await h.store.close();
  // A new process: new store connection, new relay, the schedule read back from the file.
  h.store = await openStore(h.dir);
  h.relay = h.makeRelay(h.store);
  h.clock.ms = START + 1_000;
  t.equal(await h.relay.runOnce(), 1);
  t.match(h.row('msg_one'), { status: 'delivered', attempts: 2 });
  t.same(h.rx.requests.map(r => r.headers['webhook-id']), ['msg_one', 'msg_one']);
});
