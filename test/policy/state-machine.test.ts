// Every documented transition, table-driven: each row builds the history that makes one policy
// rule fire from one state and checks where the recipient ends up (or that nothing changes).
import t from 'tap';
import type { EventSummary, RecipientRow } from '../../src/domain/state.js';
import type { RecipientState } from '../../src/domain/vocab.js';
import { decide } from '../../src/policy/index.js';
import { decideOverride } from '../../src/policy/override.js';
import { decideRecipient } from '../../src/policy/recipient.js';
import { RECIPIENT_RULES } from '../../src/policy/recipient-rules.js';
import { decideDeliveries } from '../../src/policy/success.js';
import { decideSweep } from '../../src/policy/sweep.js';
import { CFG, event, hoursAgo, item, NOW, row, snapshot } from './helpers.js';

const A = 'kijitora@contoso.com';
const DAY = 24;
const permission = () => item(A, '5.7.1', 'rejected', 'recipient_admin', { detail: 'microsoft.group_restricted' });
const policyEvent = (key: string, h: number) => event(A, 'recipient_admin', 'rejected', key, hoursAgo(h));
const delivered = (h: number) => event(A, 'none', 'delivered', `delivery:${h}`, hoursAgo(h), { action: 'delivered' });
const deadEvent = (key: string, h: number) => event(A, 'recipient', 'userunknown', key, hoursAgo(h));
const full = (key: string, h: number) => event(A, 'recipient', 'mailboxfull', key, hoursAgo(h));
const at = (s: RecipientState, extra: Partial<RecipientRow> = {}): RecipientRow => ({ ...row(A, s, s === 'pause' ? hoursAgo(-24) : null), ...extra });

interface Case { name: string; from: RecipientState; it: ReturnType<typeof item>; kind?: 'dsn' | 'arf'; events?: EventSummary[]; to: RecipientState | null; rule?: string; extra?: Partial<RecipientRow> }

const CASES: Case[] = [
  { name: 'complaint suppresses an active address', from: 'active', kind: 'arf', it: item(A, '2.0.0', 'feedback', 'recipient', { action: 'delivered' }), to: 'suppress', rule: 'policy/complaint' },
  { name: 'complaint suppresses a paused address', from: 'pause', kind: 'arf', it: item(A, '2.0.0', 'feedback', 'recipient', { action: 'delivered' }), to: 'suppress', rule: 'policy/complaint' },
  { name: 'a positive DSN reactivates keep_testing', from: 'keep_testing', it: item(A, '2.0.0', 'delivered', 'none', { action: 'delivered' }), to: 'active', rule: 'policy/delivered' },
  { name: 'a positive DSN lifts a pause (the admin fixed it)', from: 'pause', it: item(A, '2.0.0', 'delivered', 'none', { action: 'delivered' }), to: 'active', rule: 'policy/delivered' },
  { name: 'a positive DSN leaves intermittent alone', from: 'intermittent', it: item(A, '2.0.0', 'delivered', 'none', { action: 'delivered' }), to: null },
  { name: 'a positive DSN never lifts a suppression', from: 'suppress', it: item(A, '2.0.0', 'delivered', 'none', { action: 'delivered' }), to: null },
  { name: 'dead address after a recent delivery → intermittent', from: 'active', it: item(A, '5.1.10', 'userunknown', 'recipient'), events: [delivered(48)], to: 'intermittent', rule: 'policy/dead-address-after-delivery' },
  { name: 'second dead-address bounce despite the delivery → suppress', from: 'intermittent', it: item(A, '5.1.10', 'userunknown', 'recipient'), events: [delivered(48), deadEvent('m1', 24)], to: 'suppress', rule: 'policy/dead-address' },
  { name: 'the same dead-address message again does not count twice', from: 'intermittent', it: item(A, '5.1.10', 'userunknown', 'recipient'), events: [delivered(48), deadEvent('m9', 24)], to: null },
  { name: 'dead address with no delivery → suppress', from: 'keep_testing', it: item(A, '5.1.1', 'userunknown', 'recipient'), to: 'suppress', rule: 'policy/dead-address' },
  { name: 'a delivery older than the success window does not save the address', from: 'active', it: item(A, '5.1.1', 'userunknown', 'recipient'), events: [delivered(31 * DAY)], to: 'suppress', rule: 'policy/dead-address' },
  { name: 'a receive limit pauses for the short hold', from: 'active', it: item(A, '4.2.1', 'speeding', 'transient', { detail: 'microsoft.recipient_rate_limit' }), to: 'pause', rule: 'policy/receive-limit' },
  { name: 'first recipient-policy bounce → keep_testing', from: 'active', it: permission(), to: 'keep_testing', rule: 'policy/recipient-policy-first' },
  { name: 'second recipient-policy bounce → pause', from: 'keep_testing', it: permission(), events: [policyEvent('m1', 5)], to: 'pause', rule: 'policy/recipient-policy-repeat' },
  { name: 'a recipient-policy bounce while paused changes nothing', from: 'pause', it: permission(), events: [policyEvent('m1', 5)], to: null },
  { name: 'a recipient-policy bounce after the retest time pauses again', from: 'pause', it: permission(), events: [policyEvent('m1', 5)], to: 'pause', rule: 'policy/recipient-policy-repeat', extra: { retestAt: hoursAgo(1), pauseCount: 1 } },
  { name: 'five mailbox-full bounces over more than a week → suppress', from: 'keep_testing', it: item(A, '5.2.2', 'mailboxfull', 'recipient'), events: [full('f1', 9 * DAY), full('f2', 6 * DAY), full('f3', 4 * DAY), full('f4', 2 * DAY)], to: 'suppress', rule: 'policy/soft-repeat' },
  { name: 'five mailbox-full bounces within two days only keep testing', from: 'keep_testing', it: item(A, '5.2.2', 'mailboxfull', 'recipient'), events: [full('f1', 40), full('f2', 30), full('f3', 20), full('f4', 10)], to: null },
  { name: 'a soft bounce → keep_testing', from: 'active', it: item(A, '4.2.2', 'mailboxfull', 'recipient'), to: 'keep_testing', rule: 'policy/soft-bounce' },
  { name: 'an ambiguous bounce → keep_testing', from: 'active', it: item(A, '5.7.1', 'policyviolation', 'unknown'), to: 'keep_testing', rule: 'policy/ambiguous' },
  { name: 'a transient failure → keep_testing', from: 'active', it: item(A, '4.4.7', 'expired', 'transient'), to: 'keep_testing', rule: 'policy/transient' },
  { name: 'sender-side: never touches the recipient', from: 'active', it: item(A, '5.7.606', 'blocked', 'sender_ip'), to: null },
  { name: 'sender-side: not even a keep_testing recipient', from: 'keep_testing', it: item(A, '5.7.509', 'authfailure', 'sender_auth'), to: null },
  { name: 'content: no change', from: 'active', it: item(A, '5.3.4', 'mesgtoobig', 'content'), to: null },
  { name: 'a delay notice: no change', from: 'active', it: item(A, '4.4.7', 'expired', 'transient', { action: 'delayed' }), to: null },
];

t.test('each documented transition, table-driven', async t => {
  for (const c of CASES) {
    const out = decideRecipient(c.it, c.kind ?? 'dsn', c.from === 'active' && !c.extra ? undefined : at(c.from, c.extra), c.events ?? [], 'm9', NOW, CFG);
    t.equal(out?.to ?? null, c.to, c.name);
    if (c.rule) t.equal(out?.policyRule, c.rule, `${c.name}: ${c.rule}`);
  }
  const fired = new Set(CASES.map(c => c.rule).filter(Boolean));
  for (const r of RECIPIENT_RULES) t.ok(fired.has(r.id), `rule ${r.id} is exercised by a case`);
});

t.test('holds: short for receive limits, long for admin-only refusals, doubling on each long pause', async t => {
  const short = decideRecipient(item(A, '4.2.1', 'speeding', 'transient'), 'dsn', undefined, [], 'm1', NOW, CFG);
  t.equal(short?.retestAt, new Date(NOW.getTime() + 3_600_000).toISOString());
  const first = decideRecipient(permission(), 'dsn', at('keep_testing'), [policyEvent('m1', 5)], 'm2', NOW, CFG);
  t.equal(first?.retestAt, new Date(NOW.getTime() + CFG.pauseForMs).toISOString(), '30 days the first time');
  const again = decideRecipient(permission(), 'dsn', at('keep_testing', { pauseCount: 1 }), [policyEvent('m1', 5)], 'm2', NOW, CFG);
  t.equal(again?.retestAt, new Date(NOW.getTime() + 2 * CFG.pauseForMs).toISOString(), '60 days the second time');
  const capped = decideRecipient(permission(), 'dsn', at('keep_testing', { pauseCount: 9 }), [policyEvent('m1', 5)], 'm2', NOW, CFG);
  t.equal(capped?.retestAt, new Date(NOW.getTime() + CFG.pauseMaxMs).toISOString(), 'never past pauseMax');
  t.match(first?.inputs, { policyBounces: 2, policyRepeat: 2, policyWindow: '30d', previousPauses: 0, holdMs: CFG.pauseForMs }, 'the inputs are stored with the decision');
});

t.test('a tenant-wide refusal pauses the recipient domain, not the address', async t => {
  const block = item(A, '5.7.513', 'blocked', 'recipient_admin', { detail: 'microsoft.customer_blocklist' });
  const out = decide({ messageKey: 'm1', stream: 's', now: NOW, snapshot: snapshot(), items: [block] }, CFG);
  t.equal(out.recipientChanges.length, 0, 'the address is not at fault');
  t.match(out.domainChanges, [{ decision: { subject: 'domain', key: 'contoso.com', from: 'ok', to: 'pause', policyRule: 'policy/domain-refuses-us' } }]);
  t.equal(out.domains[0]?.retestAt, new Date(NOW.getTime() + CFG.domainPauseMs).toISOString());
  const paused = snapshot();
  paused.domains.set('contoso.com', out.domains[0]);
  t.equal(decide({ messageKey: 'm2', stream: 's', now: NOW, snapshot: paused, items: [block] }, CFG).domainChanges.length, 0, 'an already paused domain is not paused again');
});

t.test('the sweep: retest due, domain retest due, stream recovered — each only when due', async t => {
  const due = {
    recipients: [at('pause', { retestAt: hoursAgo(1), pauseCount: 1 }), { ...at('pause'), address: 'later@contoso.com' }],
    domains: [{ domain: 'contoso.com', state: 'pause' as const, why: null, policyRule: null, since: hoursAgo(200), retestAt: hoursAgo(1), updatedAt: hoursAgo(200) }],
    streams: [
      { row: { stream: 'quiet', state: 'escalate' as const, why: null, since: hoursAgo(48), updatedAt: hoursAgo(48) }, lastSignalAt: hoursAgo(25) },
      { row: { stream: 'noisy', state: 'escalate' as const, why: null, since: hoursAgo(48), updatedAt: hoursAgo(48) }, lastSignalAt: hoursAgo(2) },
    ],
  };
  const out = decideSweep(due, NOW, CFG);
  t.same(out.recipientChanges.map(c => [c.decision.key, c.decision.from, c.decision.to, c.decision.policyRule]), [[A, 'pause', 'keep_testing', 'policy/retest-due']]);
  t.equal(out.recipients[0]?.pauseCount, 1, 'the pause count survives the retest, so the next pause is longer');
  t.same(out.domainChanges.map(c => [c.decision.key, c.decision.to]), [['contoso.com', 'ok']]);
  t.same(out.streamChanges.map(c => [c.decision.key, c.decision.to, c.decision.policyRule]), [['quiet', 'ok', 'policy/stream-recovered']]);
});

t.test('reported deliveries lift keep_testing and pause, and leave suppress alone', async t => {
  const snap = snapshot({ [A]: { row: at('pause') }, 'gone@contoso.com': { row: { ...at('suppress'), address: 'gone@contoso.com' } } });
  const out = decideDeliveries([
    { recipient: A, recipientDomain: 'contoso.com', stream: 's', at: hoursAgo(1) },
    { recipient: 'gone@contoso.com', recipientDomain: 'contoso.com', stream: 's', at: hoursAgo(1) },
  ], snap, NOW, CFG);
  t.same(out.recipientChanges.map(c => [c.decision.key, c.decision.from, c.decision.to, c.decision.policyRule]), [[A, 'pause', 'active', 'policy/delivered']]);
});

t.test('an override is a decision with who and why, and checks its input', async t => {
  const out = decideOverride({ address: A, state: 'active', actor: 'alice', why: 'the admin opened the group to external senders' }, at('pause'), NOW);
  t.match(out.recipientChanges[0]?.decision, { from: 'pause', to: 'active', policyRule: 'policy/override', actor: 'operator:alice', why: /opened the group/ });
  t.throws(() => decideOverride({ address: A, state: 'pause', actor: '', why: '' }, undefined, NOW), { code: 'INVALID_REQUEST', details: [/actor/, /why/, /until/] });
  t.throws(() => decideOverride({ address: 'nope', state: 'frozen', actor: 'a', why: 'b' }, undefined, NOW), { code: 'INVALID_REQUEST', details: [/state/, /address/] });
});
