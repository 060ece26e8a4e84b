// The scenario, end to end with real parts: the same address gets three Microsoft
// "you do not have permissions" bounces on three messages, then a delivery is reported, then a
// 5.1.10 — and ends where docs/state-machine.md predicts, each change delivered by webhook:
//   bounce 1 → keep_testing (policy/recipient-policy-first)
//   bounce 2 → pause        (policy/recipient-policy-repeat)
//   bounce 3 → no change    (already paused)
//   delivery → active       (policy/delivered: whatever held it back is gone)
//   5.1.10   → intermittent (policy/dead-address-after-delivery: one bounce after a delivery is not proof)
import t from 'tap';
import { makeDsn } from '../helpers/dsn.js';
import { SECRET, withDaemon } from '../helpers/harness.js';
import { Webhook } from 'standardwebhooks';

const A = 'kijitora@contoso.com';
const MX = 'contoso-com.mail.protection.outlook.com';
const PERMISSION = '550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized; you do not have permissions to send to this address [AM6PR04MB1234.eurprd04.prod.outlook.com 2026-11-26T12:00:00.000Z 08DE1234ABCD5678]';
const NOT_FOUND = '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup';

t.test('three permission bounces, a delivery, then 5.1.10', async t => {
  const { h, smtp } = await withDaemon(t);
  const base = `http://127.0.0.1:${h.daemon.http.port}`;
  const state = async () => (await h.daemon.store.getRecipient(A))?.state;

  for (const id of ['S1', 'S2', 'S3']) {
    t.equal((await smtp.send(makeDsn({ id, stream: 'news', recipients: [{ recipient: A, reply: PERMISSION, remoteMta: MX }] }))).code, 250, `bounce ${id}`);
  }
  t.equal(await state(), 'pause', 'paused after the second; the third changed nothing');
  const res = await fetch(`${base}/v1/deliveries`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ recipient: A, stream: 'news' }]) });
  t.equal(res.status, 202);
  t.equal(await state(), 'active');
  t.equal((await smtp.send(makeDsn({ id: 'S4', stream: 'news', recipients: [{ recipient: A, reply: NOT_FOUND, remoteMta: MX }] }))).code, 250);
  t.equal(await state(), 'intermittent', 'as docs/state-machine.md predicts');

  const hooks = await h.receiver.waitFor(4);
  const wh = new Webhook(SECRET.replace(/^whsec_/, ''));
  const bodies = hooks.map(r => wh.verify(r.body, r.headers as Record<string, string>) as { type: string; data: Record<string, any> });
  t.same(bodies.map(b => [b.data.previous_state, b.data.state, b.data.policy_rule]), [
    ['active', 'keep_testing', 'policy/recipient-policy-first'],
    ['keep_testing', 'pause', 'policy/recipient-policy-repeat'],
    ['pause', 'active', 'policy/delivered'],
    ['active', 'intermittent', 'policy/dead-address-after-delivery'],
  ]);
  t.match(bodies[1]?.data.evidence, {
    recipient: A, remoteHost: MX, fingerprint: /AM6PR04MB1234\.eurprd04\.prod\.outlook\.com/, messageId: '<orig-S2@sender.example>',
    request: /mailbox, a distribution group or Microsoft 365 group, a shared mailbox, a mail-enabled security group, an alias or a contact/,
    text: /Trace tag: +AM6PR04MB1234/,
  }, 'the pause carries the evidence pack for the recipient\'s admin');
  while ((await h.daemon.store.outboxStats(new Date())).pending > 0) await new Promise(r => setTimeout(r, 20));
  t.equal(h.receiver.requests.length, 4, 'four transitions, four webhooks, nothing for the third bounce');
});
