// End to end with real parts: the daemon on real sockets, a real SMTP client, a real HTTP webhook
// receiver, a real SQLite file. This is the "done means" scenario.
import t from 'tap';
import { Webhook } from 'standardwebhooks';
import { makeDsn } from '../helpers/dsn.js';
import { SECRET, withDaemon } from '../helpers/harness.js';
import { webhookValidator } from '../helpers/webhook-schema.js';

const PERMISSION = '550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized; you do not have permissions to send to this address [DB8PR04MB1234.eurprd04.prod.outlook.com 2026-11-26T12:00:00.000Z 08DE1234ABCD5678]';
const NOT_FOUND = '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup';
const S3150 = "550 5.7.1 Unfortunately, messages from [192.0.2.25] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [DB3EUR04FT007.eop-eur04.prod.protection.outlook.com]";

function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
    found = true;
  }
  return found ? total : NaN;
}

t.test('permission twice → keep_testing then pause; 5.1.10 suppresses; S3150 leaves the recipient alone', async t => {
  const { h, smtp, metrics } = await withDaemon(t);
  const contoso = 'contoso-com.mail.protection.outlook.com';

  const first = await smtp.send(makeDsn({ id: 'A1', stream: 'newsletter', recipients: [{ recipient: 'alice@contoso.com', reply: PERMISSION, remoteMta: contoso }] }));
  t.equal(first.code, 250, `first DSN accepted: ${first.response}`);
  const second = await smtp.send(makeDsn({ id: 'A2', stream: 'newsletter', recipients: [{ recipient: 'alice@contoso.com', reply: PERMISSION, remoteMta: contoso }] }));
  t.equal(second.code, 250, 'second DSN accepted on the same connection');
  const notFound = await smtp.send(makeDsn({ id: 'B1', recipients: [{ recipient: 'bob@fabrikam.com', reply: NOT_FOUND, remoteMta: 'fabrikam-com.mail.protection.outlook.com' }] }));
  t.equal(notFound.code, 250);
  const blocked = await smtp.send(makeDsn({ id: 'C1', recipients: [{ recipient: 'carol@outlook.com', reply: S3150, remoteMta: 'outlook-com.olc.protection.outlook.com', command: 'MAIL FROM' }] }));
  t.equal(blocked.code, 250);

  const hooks = await h.receiver.waitFor(3);
  const wh = new Webhook(SECRET.replace(/^whsec_/, ''));
  const validate = webhookValidator();
  const events = hooks.map(r => {
    t.ok(wh.verify(r.body, r.headers as Record<string, string>), 'signature verifies with the Standard Webhooks reference library');
    t.ok(validate(JSON.parse(r.body)), `body matches docs/webhook.schema.json ${JSON.stringify(validate.errors)}`);
    t.equal(r.headers['content-type'], 'application/json');
    return JSON.parse(r.body) as { type: string; timestamp: string; data: Record<string, unknown> };
  });
  const byRecipient = (addr: string) => events.filter(e => e.data.recipient === addr).map(e => e.data.state);
  t.same(byRecipient('alice@contoso.com'), ['keep_testing', 'pause'], 'alice: keep_testing, then pause');
  t.same(byRecipient('bob@fabrikam.com'), ['suppress'], 'bob: suppressed');
  t.same(byRecipient('carol@outlook.com'), [], 'carol: no webhook');
  t.ok(events.every(e => e.type === 'recipient.state_changed'));
  const pause = events.find(e => e.data.state === 'pause');
  t.match(pause?.data, {
    previous_state: 'keep_testing', stream: 'newsletter', policy_rule: 'policy/recipient-policy-repeat',
    retest_at: /^\d{4}-\d\d-\d\dT/,
    verdict: { side: 'recipient_admin', detail: 'microsoft.group_restricted', provider: 'microsoft_m365', status: '5.7.1', reply_code: '550' },
  });

  t.equal((await h.daemon.store.getRecipient('alice@contoso.com'))?.state, 'pause');
  t.equal((await h.daemon.store.getRecipient('bob@fabrikam.com'))?.state, 'suppress');
  t.equal(await h.daemon.store.getRecipient('carol@outlook.com'), undefined, 'the S3150 block did not touch carol');

  const text = await metrics();
  t.equal(metricValue(text, 'bounce_triage_messages_received_total', { result: 'accepted' }), 4);
  t.equal(metricValue(text, 'bounce_triage_microsoft_rejections_total', { recipient_domain: 'contoso.com', side: 'recipient_admin' }), 2);
  t.equal(metricValue(text, 'bounce_triage_microsoft_rejections_total', { recipient_domain: 'outlook.com', side: 'sender_ip' }), 1);
  t.equal(metricValue(text, 'bounce_triage_recipient_transitions_total', { from: 'keep_testing', to: 'pause' }), 1);
  t.equal(metricValue(text, 'bounce_triage_recipient_transitions_total', { from: 'active', to: 'suppress' }), 1);
  await h.receiver.waitFor(3);
  const after = await metrics();
  t.equal(metricValue(after, 'bounce_triage_webhook_deliveries_total', { result: 'success' }), 3);
  t.equal(metricValue(after, 'bounce_triage_outbox_pending'), 0);

  const processed = h.logs.filter(l => l.msg === 'message processed');
  t.equal(processed.length, 4, 'one log line per processed message');
  t.match(processed[0], { verdicts: [{ recipient: 'alice@contoso.com', rule: /^microsoft\//, side: 'recipient_admin' }] });
  t.notOk(JSON.stringify(h.logs).includes(SECRET.slice(6)), 'the webhook secret never reaches the logs');
});

t.test('the same DSN sent again (a lost 250) is not counted twice', async t => {
  const { h, smtp } = await withDaemon(t);
  const dsn = makeDsn({ id: 'D1', recipients: [{ recipient: 'dave@contoso.com', reply: PERMISSION, remoteMta: 'contoso-com.mail.protection.outlook.com' }] });
  t.equal((await smtp.send(dsn)).code, 250);
  const again = await smtp.send(dsn);
  t.equal(again.code, 250);
  t.match(again.response, /duplicate/);
  await h.receiver.waitFor(1);
  t.equal((await h.daemon.store.getRecipient('dave@contoso.com'))?.state, 'keep_testing', 'still one bounce, not a pause');
});

t.test('sender-side rejections of one stream from three Microsoft domains escalate the stream, not the recipients', async t => {
  const { h, smtp } = await withDaemon(t);
  // An IP-reputation throttle is sender-side but not unambiguous: it takes three domains.
  const THROTTLE = '451 4.7.500 Server busy. Please try again later from [192.0.2.25]. (AS761)';
  const targets = [['ann@contoso.com', 'contoso-com'], ['ben@fabrikam.com', 'fabrikam-com'], ['cy@northwind.example', 'northwind-example']];
  for (const [i, [recipient, mx]] of targets.entries()) {
    const reply = await smtp.send(makeDsn({ id: `S${i}`, stream: 'promo', recipients: [{ recipient: recipient as string, reply: THROTTLE, status: '4.7.500', remoteMta: `${mx}.mail.protection.outlook.com`, command: 'MAIL FROM' }] }));
    t.equal(reply.code, 250);
  }
  const [hook] = await h.receiver.waitFor(1);
  const body = JSON.parse(hook?.body ?? '{}') as { type: string; data: Record<string, unknown> };
  t.ok(webhookValidator()(body), 'matches the schema');
  t.match(body, {
    type: 'stream.escalated',
    data: { stream: 'promo', state: 'escalate', domains: ['contoso.com', 'fabrikam.com', 'northwind.example'], policy_rule: 'policy/stream-microsoft-sender-side', verdict: { side: 'sender_ip' }, evidence: { sendingIp: '192.0.2.25', request: /Sender operations/ } },
  });
  t.equal((await h.daemon.store.getStream('promo'))?.state, 'escalate');
  for (const [recipient] of targets) t.equal(await h.daemon.store.getRecipient(recipient as string), undefined, `${recipient} untouched`);
  while ((await h.daemon.store.outboxStats(new Date())).pending > 0) await new Promise(r => setTimeout(r, 20));
  t.equal(h.receiver.requests.length, 1, 'the outbox held one event only: no recipient webhooks');
});

t.test('an unambiguous signal (banned sending IP) escalates the stream on the first domain', async t => {
  const { h, smtp } = await withDaemon(t);
  const BANNED = '550 5.7.606 Access denied, banned sending IP [192.0.2.25]. To request removal from this list please visit https://sender.office.com/ and follow the directions. (AS16012609)';
  t.equal((await smtp.send(makeDsn({ id: 'B1', stream: 'promo', recipients: [{ recipient: 'ann@contoso.com', reply: BANNED, remoteMta: 'contoso-com.mail.protection.outlook.com', command: 'MAIL FROM' }] }))).code, 250);
  const [hook] = await h.receiver.waitFor(1);
  t.match(JSON.parse(hook?.body ?? '{}'), { type: 'stream.escalated', data: { policy_rule: 'policy/stream-strong-signal', domains: ['contoso.com'], verdict: { detail: 'microsoft.banned_ip' }, evidence: { fingerprint: /AS\(?16012609/ } } });
});
