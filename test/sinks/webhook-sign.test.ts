// Our signatures are checked by the reference implementation (standardwebhooks), not by our
// own code, so a shared misunderstanding of the spec cannot make the test pass.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { parseWebhookSecret, parseWebhookSecrets, signWebhook } from '../../src/sinks/webhook-sign.js';

const secret = () => 'whsec_' + randomBytes(32).toString('base64');
const nowSec = () => Math.floor(Date.now() / 1000);
const BODY = JSON.stringify({ type: 'recipient.state_changed', timestamp: '2024-05-01T10:00:00.000Z', data: { recipient: 'zoë@contoso.com' } });

function headers(id: string, ts: number, signature: string) {
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature };
}

t.test('the reference library verifies our signature and returns the body', async t => {
  const s = secret();
  const ts = nowSec();
  const sig = signWebhook([s], 'msg_abc', ts, BODY);
  t.match(sig, /^v1,[A-Za-z0-9+/]{43}=$/);
  t.same(new Webhook(s).verify(BODY, headers('msg_abc', ts, sig)), JSON.parse(BODY));
});

t.test('our signature equals the reference library signature byte for byte', async t => {
  const s = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const ts = 1714557600;
  t.equal(signWebhook([s], 'msg_p5jXN8AQM9LWM0D4loKWxJek', ts, BODY), new Webhook(s).sign('msg_p5jXN8AQM9LWM0D4loKWxJek', new Date(ts * 1000), BODY));
});

t.test('with a rotated pair both the old and the new secret verify', async t => {
  const [oldS, newS] = [secret(), secret()];
  const ts = nowSec();
  const sig = signWebhook([oldS, newS], 'msg_rot', ts, BODY);
  t.equal(sig.split(' ').length, 2, 'one v1 entry per secret');
  t.ok(new Webhook(oldS).verify(BODY, headers('msg_rot', ts, sig)), 'consumer still on the old secret');
  t.ok(new Webhook(newS).verify(BODY, headers('msg_rot', ts, sig)), 'consumer already on the new secret');
  t.throws(() => new Webhook(secret()).verify(BODY, headers('msg_rot', ts, sig)), /signature/i, 'an unrelated secret fails');
});

t.test('a changed body, id or timestamp fails verification', async t => {
  const s = secret();
  const ts = nowSec();
  const sig = signWebhook([s], 'msg_x', ts, BODY);
  const wh = new Webhook(s);
  t.throws(() => wh.verify(BODY.replace('zoë', 'zoe'), headers('msg_x', ts, sig)));
  t.throws(() => wh.verify(BODY, headers('msg_y', ts, sig)));
  t.throws(() => wh.verify(BODY, headers('msg_x', ts + 1, sig)));
});

t.test('secret parsing names the problem and never echoes the secret', async t => {
  const cases: [string, RegExp][] = [
    ['', /is empty/],
    ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', /must start with "whsec_"/],
    ['whsec_not base64!!', /not valid base64/],
    ['whsec_' + randomBytes(8).toString('base64'), /decodes to 8 bytes; expected 24 to 64/],
    ['whsec_' + randomBytes(65).toString('base64'), /decodes to 65 bytes/],
  ];
  for (const [value, problem] of cases) {
    const err = (() => { try { parseWebhookSecret(value); } catch (e) { return e as Error; } })();
    t.match(err?.message, problem, problem.source);
    if (value.length > 6) t.notOk(err?.message.includes(value.slice(6)), 'secret not in the message');
  }
  t.equal(parseWebhookSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').length, 24);
});

t.test('several secrets are numbered in errors, and none at all is refused', async t => {
  t.throws(() => parseWebhookSecrets([secret(), 'whsec_short']), /webhook secret #2/);
  t.throws(() => parseWebhookSecrets([]), /at least one/);
  t.throws(() => signWebhook([secret()], 'msg_x', 1.5, BODY), /integer/);
});
