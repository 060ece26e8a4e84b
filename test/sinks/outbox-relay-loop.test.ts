// The relay's lifecycle and guard rails: kick wakes the loop, stop waits for deliveries in
// flight, a batch is sent with bounded concurrency, store failures do not kill the loop, logs
// hold no secret and no body, and the backoff arithmetic is exactly what the options say.
import t from 'tap';
import pino from 'pino';
import { AppError } from '../../src/errors.js';
import {
  backoffDelayMs, classifyStatus, OutboxRelay, parseRetryAfter, type RelayOptions,
} from '../../src/sinks/outbox-relay.js';
import type { Store } from '../../src/store/store.js';
import { emptyPlan, message, request } from '../store/fixtures/builders.js';
import { SECRET, setup, START } from './fixtures/harness.js';
import { scripted, type Reply } from './fixtures/receiver.js';

t.test('start runs a pass, kick wakes the loop for new rows, stop waits for it', async t => {
  const h = await setup(t, scripted([]), {}, []);
  h.relay.start();
  h.relay.start(); // idempotent
  const at = new Date(START).toISOString();
  await h.store.commitMessage(message('late'), request([]), () => emptyPlan({
    outbox: [{ webhookId: 'msg_late', type: 'stream.escalated', at, body: '{"type":"stream.escalated"}' }],
  }));
  h.relay.kick();
  await h.rx.waitFor(1);
  await h.relay.stop();
  t.match(h.row('msg_late'), { status: 'delivered' }, 'the outcome was recorded before stop resolved');
  h.relay.kick(); // after stop: ignored, no timer left behind
});

t.test('stop resolves only after a held delivery has finished', async t => {
  let release!: () => void;
  const held = new Promise<void>(r => { release = r; });
  const h = await setup(t, () => ({ status: 200, hold: held }));
  const pass = h.relay.runOnce();
  await h.rx.waitFor(1);
  let stopped = false;
  const stopping = h.relay.stop().then(() => { stopped = true; });
  await new Promise(r => setImmediate(r));
  t.notOk(stopped, 'still waiting for the receiver');
  release();
  await stopping;
  t.equal(await pass, 1);
  t.match(h.row('msg_one'), { status: 'delivered' });
});

t.test('stop does not start the rest of a claimed batch: those rows stay pending for the next run', async t => {
  let release!: () => void;
  const held = new Promise<void>(r => { release = r; });
  const h = await setup(t, () => ({ status: 200, hold: held }), { concurrency: 1 }, ['msg_a', 'msg_b', 'msg_c']);
  const pass = h.relay.runOnce();
  await h.rx.waitFor(1);
  const stopping = h.relay.stop();
  release();
  await stopping;
  t.equal(h.rx.requests.length, 1, 'only the request already on the wire was sent');
  t.equal(await pass, 3, 'three rows were claimed');
  t.match(h.row('msg_a'), { status: 'delivered' });
  t.match(h.row('msg_b'), { status: 'pending', attempts: 0 });
  t.match(h.row('msg_c'), { status: 'pending', attempts: 0 });
});

t.test('a batch is delivered concurrently but never more than `concurrency` at once', async t => {
  const ids = ['msg_a', 'msg_b', 'msg_c', 'msg_d', 'msg_e', 'msg_f'];
  // Hold requests until two are open (or the last one arrived): with concurrency 2 this
  // releases in pairs; a relay sending more at once would show up in maxConcurrent.
  let gate: { promise: Promise<void>; open: () => void; waiting: number } | undefined;
  const reply = (n: number): Reply => {
    if (!gate) {
      let open!: () => void;
      gate = { promise: new Promise<void>(r => { open = r; }), open, waiting: 0 };
    }
    const g = gate;
    g.waiting++;
    if (g.waiting === 2 || n === ids.length - 1) { g.open(); gate = undefined; }
    return { status: 200, hold: g.promise };
  };
  const h = await setup(t, reply, { concurrency: 2 }, ids);
  t.equal(await h.relay.runOnce(), 6);
  t.equal(h.rx.maxConcurrent, 2);
  for (const id of ids) t.match(h.row(id), { status: 'delivered' }, id);
});

t.test('a store failure while recording an outcome is logged and the loop survives', async t => {
  const h = await setup(t, scripted([]));
  const failing: Store = Object.assign(Object.create(h.store) as Store, {
    markDelivered: async () => { throw new AppError('STORE_UNAVAILABLE', 'disk full'); },
  });
  const relay = h.makeRelay(failing);
  t.equal(await relay.runOnce(), 1);
  t.match(h.row('msg_one'), { status: 'pending', leased_until: /Z$/ }, 'left leased: retried after the lease');
  t.match(h.logs.join(''), /cannot record webhook delivery outcome/);
  // A pass that cannot even claim is retried at the next poll: wait for the second claim.
  let claims = 0;
  let secondClaim!: () => void;
  const retried = new Promise<void>(r => { secondClaim = r; });
  const broken: Store = Object.assign(Object.create(h.store) as Store, {
    claimOutbox: async () => {
      if (++claims === 2) secondClaim();
      throw new AppError('STORE_UNAVAILABLE', 'locked');
    },
  });
  const looping = h.makeRelay(broken, { pollIntervalMs: 1 });
  looping.start();
  await retried;
  await looping.stop();
  t.match(h.logs.join(''), /outbox pass failed; retrying at the next poll/);
});

t.test('logs name the webhook and outcome but never the secret or the body', async t => {
  const h = await setup(t, scripted([{ status: 500 }]));
  await h.relay.runOnce();
  const logs = h.logs.join('');
  t.match(logs, /"webhookId":"msg_one"/);
  t.match(logs, /"result":"server_error"/);
  t.match(logs, /"attempt":1/);
  t.notMatch(logs, 'zoë.private');
  t.notMatch(logs, SECRET.slice(6));
});

t.test('backoff doubles per attempt, is capped, and jitters within ± jitter', async t => {
  const b = { baseMs: 1_000, maxMs: 10_000, maxAttempts: 9, jitter: 0.25 };
  t.same([0, 1, 2, 3, 4, 40].map(n => backoffDelayMs(n, b, () => 0.5)), [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  t.equal(backoffDelayMs(1, b, () => 0), 1_500);
  t.equal(backoffDelayMs(1, b, () => 1), 2_500);
});

t.test('Retry-After parses seconds and HTTP dates, and ignores junk', async t => {
  const now = new Date('2024-05-01T10:00:00.000Z');
  t.equal(parseRetryAfter('30', now), 30_000);
  t.equal(parseRetryAfter('Wed, 01 May 2024 10:01:00 GMT', now), 60_000);
  t.equal(parseRetryAfter('Wed, 01 May 2024 09:00:00 GMT', now), 0, 'a past date means now');
  t.equal(parseRetryAfter('soon', now), undefined);
  t.equal(parseRetryAfter(null, now), undefined);
});

t.test('status codes map to delivery results', async t => {
  t.same([200, 204, 301, 400, 404, 410, 429, 500, 503].map(classifyStatus),
    ['success', 'success', 'client_error', 'client_error', 'client_error', 'gone', 'client_error', 'server_error', 'server_error']);
});

t.test('bad options are refused at construction, without echoing secrets', async t => {
  const store = {} as Store;
  const logger = pino({ level: 'silent' });
  const good: RelayOptions = {
    url: 'https://hooks.example.com/bt', secrets: [SECRET], timeoutMs: 10_000, batchSize: 10, pollIntervalMs: 1_000,
    leaseMs: 60_000, backoff: { baseMs: 1_000, maxMs: 60_000, maxAttempts: 5, jitter: 0.2 },
  };
  t.doesNotThrow(() => new OutboxRelay(store, good, { logger }));
  t.throws(() => new OutboxRelay(store, { ...good, url: 'ftp://x', batchSize: 0, backoff: { ...good.backoff, jitter: 2 } }, { logger }),
    { code: 'CONFIG_INVALID', details: ['url must be an http(s) URL', 'batchSize must be positive', 'backoff.jitter must be within 0..1'] });
  t.throws(() => new OutboxRelay(store, { ...good, secrets: ['whsec_tooshort'] }, { logger }),
    { code: 'CONFIG_INVALID', details: [/^webhook secret (is not valid base64|decodes to)/] });
  t.throws(() => new OutboxRelay(store, { ...good, secrets: [] }, { logger }), { code: 'CONFIG_INVALID', details: [/at least one/] });
  const lines: string[] = [];
  new OutboxRelay(store, { ...good, leaseMs: 5_000 }, { logger: pino({}, { write: (l: string) => { lines.push(l); } }) });
  t.match(lines.join(''), /lease is not longer than the webhook timeout/);
});
