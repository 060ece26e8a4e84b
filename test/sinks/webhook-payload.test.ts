import t from 'tap';
import { decide } from '../../src/policy/index.js';
import { outboxRows } from '../../src/sinks/webhook-payload.js';
import { CFG, event, hoursAgo, item, NOW, snapshot } from '../policy/helpers.js';
import { webhookValidator } from '../helpers/webhook-schema.js';


const ctx = { cause: 'k1', stream: 'news', original: { messageId: '<o@x>', from: 'a@sender.example', subject: 'Hi' }, reportMessageId: '<dsn@x>' };

t.test('recipient and stream events match docs/webhook.schema.json', async t => {
  const validate = webhookValidator();
  const earlier = [
    event('a@one.example', 'sender_ip', 'blocked', 'm1', hoursAgo(3)),
    event('b@two.example', 'sender_ip', 'blocked', 'm2', hoursAgo(2)),
    event('p@contoso.com', 'recipient_admin', 'policyviolation', 'm0', hoursAgo(1)),
  ];
  const out = decide({
    messageKey: 'k1', stream: 'news', now: NOW,
    snapshot: snapshot({ 'p@contoso.com': { events: earlier.slice(2) } }, { events: earlier }),
    items: [
      item('p@contoso.com', '5.7.1', 'policyviolation', 'recipient_admin', { detail: 'microsoft.group_restricted' }),
      item('x@three.example', '5.7.606', 'blocked', 'sender_ip', { detail: 'microsoft.banned_ip' }),
      item('dead@contoso.com', '5.1.10', 'userunknown', 'recipient'),
    ],
  }, CFG);
  const rows = outboxRows(ctx, out);
  t.same(rows.map(r => r.type), ['recipient.state_changed', 'recipient.state_changed', 'stream.escalated']);
  for (const r of rows) {
    const ok = validate(JSON.parse(r.body));
    t.ok(ok, `${r.type} validates: ${JSON.stringify(validate.errors)}`);
  }
  const bodies = rows.map(r => JSON.parse(r.body) as { data: Record<string, unknown> });
  t.match(bodies[0]?.data, { recipient: 'p@contoso.com', state: 'pause', previous_state: 'active', retest_at: /^2026-12-26T/ });
  t.match(bodies[2]?.data, { stream: 'news', domains: ['one.example', 'three.example', 'two.example'] });
});

t.test('webhook ids are stable for the same message and transition, distinct otherwise', async t => {
  const run = (key: string) => {
    const out = decide({ messageKey: key, stream: 's', now: NOW, snapshot: snapshot(), items: [item('a@b.example', '5.1.1', 'userunknown', 'recipient'), item('c@b.example', '5.1.1', 'userunknown', 'recipient')] }, CFG);
    return outboxRows({ ...ctx, cause: key }, out).map(r => r.webhookId);
  };
  const a = run('k1');
  t.same(run('k1'), a, 'same message → same ids (a replay cannot mint a second event)');
  t.equal(new Set([...a, ...run('k2')]).size, 4, 'different transitions or messages → different ids');
  for (const id of a) t.match(id, /^msg_[A-Za-z0-9_-]{27}$/, 'no "." in the id (Standard Webhooks signs id.timestamp.body)');
});
