// Property tests (fast-check) for the invariants of the state machine, over random histories of
// verdicts from every side, deliveries and replays, with a clock that moves forward:
// a single policy bounce never suppresses; sender-side reasons never suppress or pause;
// states only move along documented transitions; a replayed DSN does not count twice.
import fc from 'fast-check';
import t from 'tap';
import type { EventSummary, RecipientRow } from '../../src/domain/state.js';
import type { Reason, Side } from '../../src/domain/vocab.js';
import { decide } from '../../src/policy/index.js';
import { RECIPIENT_RULES } from '../../src/policy/recipient-rules.js';
import { CFG, item, NOW, snapshot } from './helpers.js';

const A = 'prop@contoso.com';
const VERDICTS: Array<[string, Reason, Side, string?]> = [
  ['5.1.1', 'userunknown', 'recipient'], ['5.4.1', 'userunknown', 'recipient', 'microsoft.dbeb_unknown_recipient'],
  ['5.2.2', 'mailboxfull', 'recipient'], ['4.2.2', 'mailboxfull', 'recipient'],
  ['5.7.1', 'rejected', 'recipient_admin', 'microsoft.group_restricted'], ['5.7.1', 'policyviolation', 'unknown'],
  ['4.2.1', 'speeding', 'transient', 'microsoft.recipient_rate_limit'], ['4.4.7', 'expired', 'transient'],
  ['5.7.606', 'blocked', 'sender_ip', 'microsoft.banned_ip'], ['5.7.509', 'authfailure', 'sender_auth', 'microsoft.dmarc_reject'],
  ['5.7.708', 'blocked', 'sender_account'], ['5.7.57', 'securityerror', 'sender_mta'], ['5.3.4', 'mesgtoobig', 'content'],
  ['2.0.0', 'delivered', 'none'],
];
const SENDER: ReadonlySet<Side> = new Set(['sender_auth', 'sender_ip', 'sender_mta', 'sender_account']);

interface Step { verdict: number; hours: number; replay: boolean }
const step = fc.record({ verdict: fc.integer({ min: 0, max: VERDICTS.length - 1 }), hours: fc.integer({ min: 0, max: 24 * 20 }), replay: fc.boolean() });

/** Runs a history through decide(); calls `check` on every step's outcome. */
function simulate(steps: Step[], check: (s: { from: RecipientRow | undefined; side: Side; out: ReturnType<typeof decide>; replay: boolean; now: Date }) => void): void {
  let row: RecipientRow | undefined;
  let events: EventSummary[] = [];
  let now = NOW.getTime();
  let last: { key: string; it: ReturnType<typeof item> } | undefined;
  steps.forEach((s, i) => {
    now += s.hours * 3_600_000;
    const [status, reason, side, detail] = VERDICTS[s.verdict] as (typeof VERDICTS)[number];
    const fresh = { key: `m${i}`, it: item(A, status, reason, side, { detail, action: status.startsWith('2') ? 'delivered' : 'failed' }) };
    const use = s.replay && last ? last : fresh;
    const out = decide({ messageKey: use.key, stream: 's', now: new Date(now), items: [use.it], snapshot: snapshot({ [A]: { row, events } }) }, CFG);
    check({ from: row, side: use.it.verdict.side, out, replay: use === last, now: new Date(now) });
    // What the store would do: a replayed message (same key) was a duplicate and wrote nothing.
    if (use !== last) {
      events = [...events, ...out.events.map(e => ({ recipient: e.recipient, recipientDomain: e.recipientDomain, reason: e.reason, side: e.side, family: e.family, action: e.action, messageKey: use.key, at: e.at }))];
      row = out.recipients[0] ?? row;
    }
    last = use;
  });
}

t.test('a single policy bounce never suppresses (from any history)', async t => {
  fc.assert(fc.property(fc.array(step, { maxLength: 12 }), steps => {
    simulate(steps, ({ side, out }) => {
      if (side === 'recipient_admin' || side === 'unknown') for (const c of out.recipientChanges) if (c.decision.to === 'suppress') throw new Error(`policy bounce suppressed: ${c.decision.why}`);
    });
  }), { numRuns: 400 });
  t.pass('400 random histories');
});

t.test('sender-side reasons never suppress or pause a recipient — they never touch it at all', async t => {
  fc.assert(fc.property(fc.array(step, { maxLength: 12 }), steps => {
    simulate(steps, ({ side, out }) => {
      if (SENDER.has(side) && out.recipientChanges.length > 0) throw new Error(`sender-side verdict moved the recipient: ${out.recipientChanges[0]?.decision.why}`);
    });
  }), { numRuns: 400 });
  t.pass('400 random histories');
});

t.test('states only move along documented transitions', async t => {
  const documented = new Set(RECIPIENT_RULES.flatMap(r => r.from.map(f => `${f}>${r.to}>${r.id}`)));
  fc.assert(fc.property(fc.array(step, { maxLength: 15 }), steps => {
    simulate(steps, ({ from, out, now }) => {
      for (const c of out.recipientChanges) {
        // The rule table speaks of effective states: an expired pause is keep_testing again.
        const effective = from?.state === 'pause' && from.retestAt && Date.parse(from.retestAt) <= now.getTime() ? 'keep_testing' : c.decision.from;
        const key = `${effective}>${c.decision.to}>${c.decision.policyRule}`;
        if (!documented.has(key)) throw new Error(`undocumented transition ${key}`);
      }
    });
  }), { numRuns: 400 });
  t.pass('400 random histories');
});

t.test('replaying the same DSN (the MTA retried after a lost 250) does not count twice', async t => {
  fc.assert(fc.property(fc.array(step, { maxLength: 12 }), steps => {
    simulate(steps.map(s => ({ ...s, hours: s.replay ? 0 : s.hours })), ({ replay, out }) => {
      if (replay && out.recipientChanges.some(c => c.decision.policyRule === 'policy/recipient-policy-repeat' || c.decision.policyRule === 'policy/soft-repeat')) {
        throw new Error('a replay counted as a second message');
      }
    });
  }), { numRuns: 400 });
  t.pass('400 random histories');
});
