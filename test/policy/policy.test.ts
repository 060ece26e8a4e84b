import t from 'tap';
import type { RecipientState } from '../../src/domain/vocab.js';
import { decide } from '../../src/policy/index.js';
import { decideRecipient, effectiveState } from '../../src/policy/recipient.js';
import { CFG, event, hoursAgo, item, NOW, row, snapshot } from './helpers.js';

const A = 'kijitora@example.com';

t.test('what one verdict does to a recipient with no history', async t => {
  const table: Array<[string, ReturnType<typeof item>, RecipientState | null, string | null]> = [
    ['a confirmed unknown user is suppressed', item(A, '5.1.10', 'userunknown', 'recipient'), 'suppress', 'policy/dead-address'],
    ['Microsoft DBEB 5.4.1 (unknown user) is suppressed', item(A, '5.4.1', 'userunknown', 'recipient', { detail: 'microsoft.dbeb_unknown_recipient' }), 'suppress', 'policy/dead-address'],
    ['one recipient-side policy bounce only keeps testing', item(A, '5.7.1', 'policyviolation', 'recipient_admin', { detail: 'microsoft.group_restricted' }), 'keep_testing', 'policy/recipient-policy-first'],
    ['an ambiguous 5.7.1 keeps testing', item(A, '5.7.1', 'policyviolation', 'unknown'), 'keep_testing', 'policy/ambiguous'],
    ['a full mailbox keeps testing', item(A, '5.2.2', 'mailboxfull', 'recipient'), 'keep_testing', 'policy/soft-bounce'],
    ['an expired (transient) failure keeps testing', item(A, '4.4.7', 'expired', 'transient'), 'keep_testing', 'policy/transient'],
    ['an Outlook.com block list (S3150) does not touch the recipient', item(A, '5.7.1', 'blocked', 'sender_ip', { detail: 'microsoft.consumer_blocklist' }), null, null],
    ['a DMARC reject does not touch the recipient', item(A, '5.7.509', 'authfailure', 'sender_auth'), null, null],
    ['a sender-account block does not touch the recipient', item(A, '5.7.708', 'blocked', 'sender_account'), null, null],
    ['a sender MTA problem does not touch the recipient', item(A, '5.7.57', 'securityerror', 'sender_mta'), null, null],
    ['a content rejection does not touch the recipient', item(A, '5.3.4', 'mesgtoobig', 'content'), null, null],
    ['a delayed DSN changes nothing', item(A, '4.7.650', 'badreputation', 'transient', { action: 'delayed' }), null, null],
    ['a positive DSN changes nothing', item(A, '2.0.0', 'delivered', 'none', { action: 'delivered' }), null, null],
    ['a 4.x.x unknown-user text is not proof of a dead address', item(A, '4.1.1', 'userunknown', 'recipient'), 'keep_testing', 'policy/soft-bounce'],
  ];
  for (const [name, it, to, rule] of table) {
    const out = decideRecipient(it, 'dsn', undefined, [], 'm1', NOW, CFG);
    t.equal(out?.to ?? null, to, name);
    t.equal(out?.policyRule ?? null, rule, `${name}: policy rule`);
  }
});

t.test('repeated recipient-side policy bounces from distinct messages pause with a retest time', async t => {
  const policy = item(A, '5.7.1', 'policyviolation', 'recipient_admin', { detail: 'microsoft.group_restricted' });
  const earlier = [event(A, 'recipient_admin', 'policyviolation', 'm1', hoursAgo(5))];
  const out = decideRecipient(policy, 'dsn', row(A, 'keep_testing'), earlier, 'm2', NOW, CFG);
  t.equal(out?.to, 'pause');
  t.equal(out?.policyRule, 'policy/recipient-policy-repeat');
  t.equal(out?.retestAt, new Date(NOW.getTime() + CFG.pauseForMs).toISOString());
  t.match(out?.why, /2 recipient-side policy bounces/);

  t.equal(decideRecipient(policy, 'dsn', row(A, 'keep_testing'), earlier, 'm1', NOW, CFG), null,
    'the same message seen again does not count twice');
  const old = [event(A, 'recipient_admin', 'policyviolation', 'm0', hoursAgo(31 * 24))];
  t.equal(decideRecipient(policy, 'dsn', row(A, 'keep_testing'), old, 'm2', NOW, CFG), null, 'a bounce outside the window does not count');
  const senderSide = [event(A, 'sender_ip', 'blocked', 'm1', hoursAgo(1))];
  t.equal(decideRecipient(policy, 'dsn', row(A, 'keep_testing'), senderSide, 'm2', NOW, CFG), null, 'sender-side events do not count toward a pause');
});

t.test('states never move down on a weaker verdict', async t => {
  const soft = item(A, '5.2.2', 'mailboxfull', 'recipient');
  t.equal(decideRecipient(soft, 'dsn', row(A, 'suppress'), [], 'm9', NOW, CFG), null, 'suppressed stays suppressed');
  t.equal(decideRecipient(soft, 'dsn', row(A, 'pause', hoursAgo(-24)), [], 'm9', NOW, CFG), null, 'paused stays paused');
  t.equal(decideRecipient(soft, 'dsn', row(A, 'keep_testing'), [], 'm9', NOW, CFG), null, 'keep_testing is not re-announced');
  const dead = item(A, '5.1.1', 'userunknown', 'recipient');
  t.equal(decideRecipient(dead, 'dsn', row(A, 'pause', hoursAgo(-24)), [], 'm9', NOW, CFG)?.to, 'suppress', 'a dead address beats a pause');
});

t.test('a pause whose retest time has passed counts as keep_testing', async t => {
  t.equal(effectiveState(row(A, 'pause', hoursAgo(1)), NOW), 'keep_testing');
  t.equal(effectiveState(row(A, 'pause', hoursAgo(-1)), NOW), 'pause');
  t.equal(effectiveState(undefined, NOW), 'active');
  const policy = item(A, '5.7.1', 'policyviolation', 'recipient_admin');
  const earlier = [event(A, 'recipient_admin', 'policyviolation', 'm1', hoursAgo(24))];
  t.equal(decideRecipient(policy, 'dsn', row(A, 'pause', hoursAgo(1)), earlier, 'm3', NOW, CFG)?.to, 'pause', 'a policy bounce after the retest pauses again');
});

t.test('a dead-address bounce after a recent delivery is intermittent, the second one suppresses', async t => {
  const dead = item(A, '5.1.1', 'userunknown', 'recipient');
  const delivered = [event(A, 'none', 'delivered', 'd1', hoursAgo(2), { action: 'delivered' })];
  t.equal(decideRecipient(dead, 'dsn', undefined, delivered, 'm1', NOW, CFG)?.to, 'intermittent');
  const again = [...delivered, event(A, 'recipient', 'userunknown', 'm1', hoursAgo(1))];
  t.equal(decideRecipient(dead, 'dsn', row(A, 'intermittent'), again, 'm2', NOW, CFG)?.to, 'suppress');
});

t.test('decide: two records of one message for one address see each other, one row per address', async t => {
  const out = decide({
    messageKey: 'm1', stream: 's', now: NOW, snapshot: snapshot(),
    items: [item(A, '5.2.2', 'mailboxfull', 'recipient'), item(A, '5.1.1', 'userunknown', 'recipient')],
  }, CFG);
  t.equal(out.events.length, 2, 'every record is an event');
  t.same(out.recipientChanges.map(c => [c.decision.from, c.decision.to]), [['active', 'keep_testing'], ['keep_testing', 'suppress']]);
  t.equal(out.recipients.length, 1);
  t.equal(out.recipients[0]?.state, 'suppress');
  t.equal(out.recipients[0]?.rule, 'test/userunknown', 'the row keeps the classification rule id');
});

t.test('decide: sender-side rejections from enough distinct Microsoft domains escalate the stream', async t => {
  const s3150 = (r: string) => item(r, '5.7.1', 'blocked', 'sender_ip', { detail: 'microsoft.consumer_blocklist', provider: 'microsoft_consumer' });
  const earlier = [
    event('a@one.example', 'sender_ip', 'blocked', 'm1', hoursAgo(3)),
    event('b@two.example', 'sender_auth', 'authfailure', 'm2', hoursAgo(2)),
    event('c@old.example', 'sender_ip', 'blocked', 'm0', hoursAgo(30)),
    event('d@google.example', 'sender_ip', 'blocked', 'm3', hoursAgo(1), { family: 'google' }),
  ];
  const out = decide({ messageKey: 'm4', stream: 'news', now: NOW, snapshot: snapshot({}, { events: earlier }), items: [s3150('x@three.example')] }, CFG);
  t.equal(out.streamChanges.length, 1);
  t.same(out.streamChanges[0]?.domains, ['one.example', 'three.example', 'two.example'], 'old and non-Microsoft events do not count');
  t.equal(out.streams[0]?.state, 'escalate');
  t.equal(out.recipientChanges.length, 0, 'recipients are left alone');

  const two = decide({ messageKey: 'm4', stream: 'news', now: NOW, snapshot: snapshot({}, { events: earlier.slice(0, 1) }), items: [s3150('x@three.example')] }, CFG);
  t.equal(two.streamChanges.length, 0, 'two domains are below the threshold');
  const already = decide({
    messageKey: 'm4', stream: 'news', now: NOW, items: [s3150('x@three.example')],
    snapshot: snapshot({}, { events: earlier, row: { stream: 'news', state: 'escalate', why: null, since: hoursAgo(1), updatedAt: hoursAgo(1) } }),
  }, CFG);
  t.equal(already.streamChanges.length, 0, 'an escalated stream is not escalated again');
  const recipientSide = decide({
    messageKey: 'm4', stream: 'news', now: NOW, snapshot: snapshot({}, { events: earlier }),
    items: [item('x@three.example', '5.7.1', 'policyviolation', 'recipient_admin')],
  }, CFG);
  t.equal(recipientSide.streamChanges.length, 0, 'a recipient-side bounce does not escalate the stream');
});
