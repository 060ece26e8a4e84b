// The escalation snapshot: only what the stream rule counts, one event per recipient domain, so
// a stream with a huge bounce history still loads a bounded snapshot.
import t from 'tap';
import type { Snapshot } from '../../src/domain/state.js';
import { ESCALATION_EVENTS } from '../../src/policy/stream.js';
import { emptyPlan, event, message, openStore } from './fixtures/builders.js';

t.test('a stream filter keeps failed sender-side events of the family, latest per domain', async t => {
  const store = await openStore(t.testdir());
  t.teardown(() => store.close());
  const at = (h: number) => `2024-05-01T${String(h).padStart(2, '0')}:00:00.000Z`;
  const ms = { family: 'microsoft', side: 'sender_ip' as const, reason: 'blocked' as const };
  await store.commitMessage(message('seed'), { recipients: [], stream: 'newsletter', recipientSince: at(0), streamSince: at(0) }, () => emptyPlan({
    events: [
      event('a1@one.example', at(2), ms),
      event('a2@one.example', at(5), ms),
      event('b@two.example', at(3), { ...ms, side: 'sender_auth', reason: 'authfailure' }),
      event('c@three.example', at(4), { ...ms, family: 'google' }),
      event('d@four.example', at(4), { family: 'microsoft', side: 'recipient_admin', reason: 'policyviolation' }),
      event('e@five.example', at(4), { ...ms, action: 'delayed' }),
      event('f@six.example', at(1), ms),
      event('g@seven.example', at(6), { ...ms, stream: 'other' }),
    ],
  }));
  let snap: Snapshot | undefined;
  await store.commitMessage(message('look'), {
    recipients: [], stream: 'newsletter', recipientSince: at(0), streamSince: at(2), streamFilter: ESCALATION_EVENTS,
  }, s => { snap = s; return emptyPlan(); });
  t.same(snap?.stream.events.map(e => [e.recipientDomain, e.recipient]), [['two.example', 'b@two.example'], ['one.example', 'a2@one.example']],
    'one per domain (the latest), only failed Microsoft sender-side events of this stream inside the window');
});
