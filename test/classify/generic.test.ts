// Provider-neutral behaviour of the engine: precedence (words beat codes, the enhanced status
// beats the reply code), class 4 stays transient unless the words say otherwise, the fallback
// verdict and the shape of a verdict. Speed is measured by `npm run bench:classify`, not here.
import t from 'tap';
import { classify, recordFromSample, reportFromSample } from '../../src/classify/index.js';
import { RULE_LEVELS } from '../../src/domain/verdict.js';
import { isOneOf, REASONS, SIDES } from '../../src/domain/vocab.js';
import { shipped, verdict } from './fixtures/rules.js';

const OTHER = { host: 'mx.example.net' };

const rows: Array<[string, object, string, string, string]> = [
  ['550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient\'s email address for typos or unnecessary spaces. - gsmtp', { host: 'gmail-smtp-in.l.google.com' }, 'userunknown', 'recipient', 'generic/user-unknown'],
  ['421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes', { host: 'mta5.am0.yahoodns.net' }, 'badreputation', 'sender_ip', 'generic/reputation'],
  ['421 4.7.1 Messages to ****@icloud.com deferred due to excessive volume. Try again later', { host: 'mx01.mail.icloud.com' }, 'speeding', 'sender_ip', 'generic/rate-limited'],
  // a 5.1.1 that is not about the address at all: the words win
  ['550 5.1.1 <kijitora@example.com> - 203.0.113.222 has sent to too many recipients this hour. IB607', OTHER, 'speeding', 'sender_ip', 'generic/rate-limited'],
  // class 4: transient, unless the words name someone
  ['451 4.3.0', OTHER, 'systemerror', 'transient', 'generic/status-4-system'],
  ['421 4.7.0', OTHER, 'undefined', 'transient', 'generic/status-4-other'],
  ['Delivery temporarily suspended', { ...OTHER, status: '4.0.0' }, 'undefined', 'transient', 'generic/class-transient'],
  ['452 4.2.2 The email account that you tried to reach is over quota.', OTHER, 'mailboxfull', 'recipient', 'generic/mailbox-full'],
  ['421-4.7.0 This message does not have authentication information or fails to pass authentication checks.', OTHER, 'authfailure', 'sender_auth', 'generic/unauthenticated'],
  // the reply code speaks only when the status says nothing (5.0.0 synthesised by our MTA)
  ['550 Requested action not taken: mailbox unavailable', { ...OTHER, status: '5.0.0' }, 'undefined', 'unknown', 'generic/reply-ambiguous'],
  ['552 Requested mail action aborted', OTHER, 'mailboxfull', 'recipient', 'generic/reply-storage-exceeded'],
  // codes: null MX vs Microsoft's 5.1.10, unregistered details by subject
  ['550 5.1.10', OTHER, 'notaccept', 'recipient', 'generic/status-null-mx'],
  ['550 5.7.606', OTHER, 'policyviolation', 'unknown', 'generic/subject-policy'],
  ['250 2.1.5 Ok', OTHER, 'delivered', 'none', 'generic/status-success'],
  // words beat the code
  ['554 5.7.1 <user@example.org>: Relay access denied', OTHER, 'norelaying', 'recipient_admin', 'generic/relay-denied'],
  ['554 delivery error: dd This user doesn\'t have a yahoo.com account (x@yahoo.com) [0] - mta107.mail.re1.yahoo.com', OTHER, 'userunknown', 'recipient', 'generic/user-unknown'],
];

t.test('provider-neutral replies', async t => {
  for (const [text, opts, reason, side, rule] of rows) {
    const v = verdict(text, opts);
    t.same([v.reason, v.side, v.rule], [reason, side, rule], text.slice(0, 80));
  }
});

t.test('nothing matches: the fallback verdict says so', async t => {
  const record = { ...recordFromSample({ text: 'something odd happened', host: 'mx.example.net' }), status: '', replyCode: undefined };
  delete record.replyCode;
  const v = classify(record, { kind: 'dsn' }, shipped);
  t.same(v, { reason: 'undefined', side: 'unknown', provider: 'other', family: 'other', providerBy: 'none', rule: 'fallback/none', level: 'fallback' });
});

t.test('every verdict of every sample uses the closed vocabularies', async t => {
  const bad: string[] = [];
  for (const r of shipped.rules) {
    for (const s of r.samples) {
      const v = classify(recordFromSample(s, r.sampleDefaults), reportFromSample(s, r.sampleDefaults), shipped);
      if (!isOneOf(REASONS, v.reason) || !isOneOf(SIDES, v.side) || !isOneOf(RULE_LEVELS, v.level)) bad.push(`${r.id}: ${JSON.stringify(v)}`);
    }
  }
  t.same(bad, []);
});
