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
  ["550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces.", OTHER, 'userunknown', 'recipient', 'generic/user-unknown'],
  // Yahoo's [TSS04] when Yahoo's own MX is not named: Sisimai's generic reading (yahoo.yaml has the other)
  ['421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes', OTHER, 'badreputation', 'sender_ip', 'generic/reputation'],
  ['421 4.7.1 Messages to ****@example.org deferred due to excessive volume. Try again later', OTHER, 'speeding', 'sender_ip', 'generic/rate-limited'],
  // a 5.1.1 that is not about the address at all: the words win
  ['550 5.1.1 <kijitora@example.com> - 203.0.113.222 has sent to too many recipients this hour. IB607', OTHER, 'speeding', 'sender_ip', 'generic/rate-limited'],
  // class 4: transient, unless the words name someone
  ['451 4.3.5', OTHER, 'systemerror', 'transient', 'generic/status-4-system'],
  ['451 4.3.0', { ...OTHER, action: 'failed' }, 'onhold', 'transient', 'generic/status-4-undecided'],
  ['421 4.7.0', { ...OTHER, action: 'failed' }, 'undefined', 'transient', 'generic/status-4-other'],
  ['Delivery temporarily suspended', { ...OTHER, status: '4.0.0', action: 'failed' }, 'undefined', 'transient', 'generic/class-transient'],
  // a delayed DSN (still retrying) that says nothing more: Sisimai's `expired`, nobody acts
  ['421 4.7.0', OTHER, 'expired', 'transient', 'generic/delayed-no-detail'],
  ['Delivery temporarily suspended', { ...OTHER, status: '4.0.0' }, 'expired', 'transient', 'generic/class-delayed'],
  ['452 4.2.2 The email account that you tried to reach is over quota.', OTHER, 'mailboxfull', 'recipient', 'generic/mailbox-full'],
  ['421-4.7.0 This message does not have authentication information or fails to pass authentication checks.', OTHER, 'authfailure', 'sender_auth', 'generic/unauthenticated'],
  // the reply code speaks only when the status says nothing (5.0.0 synthesised by our MTA);
  // words we cannot read are Sisimai's `onhold`, nothing to read at all is `undefined`
  ['550 Requested action not taken: mailbox unavailable', { ...OTHER, status: '5.0.0' }, 'onhold', 'unknown', 'generic/reply-ambiguous'],
  ['552 Requested mail action aborted', OTHER, 'mailboxfull', 'recipient', 'generic/reply-storage-exceeded'],
  ['Did not reach the following recipient', { ...OTHER, status: '5.0.0', host: null, stage: 'unknown' }, 'onhold', 'unknown', 'generic/undecided-words'],
  // codes: null MX vs Microsoft's 5.1.10, unregistered details by subject
  ['550 5.1.10', OTHER, 'notaccept', 'recipient', 'generic/status-null-mx'],
  ['550 5.7.606', OTHER, 'securityerror', 'unknown', 'generic/subject-policy'],
  ['503 5.5.0', OTHER, 'syntaxerror', 'sender_mta', 'generic/reply-syntax'],
  ['250 2.1.5 Ok', OTHER, 'delivered', 'none', 'generic/positive-report'],
  // words beat the code
  ['554 5.7.1 <user@example.org>: Relay access denied', OTHER, 'norelaying', 'recipient_admin', 'generic/relay-denied'],
  ['550 5.7.1 Relaying denied. IP name lookup failed [192.0.2.254]', { ...OTHER, stage: 'mail' }, 'norelaying', 'recipient_admin', 'generic/relay-denied'],
  ['554 delivery error: dd This user doesn\'t have a yahoo.com account (x@yahoo.com) [0] - mta107.mail.re1.yahoo.com', OTHER, 'userunknown', 'recipient', 'generic/user-unknown'],
  ['552 5.2.3 Message size exceeds fixed maximum message size (10485760)', { ...OTHER, stage: 'mail' }, 'exceedlimit', 'content', 'generic/mailbox-size-limit'],
  ['552 5.3.4 Message size exceeds fixed maximum message size', { ...OTHER, stage: 'data' }, 'mesgtoobig', 'content', 'generic/message-too-big'],
  ["DNS Error: 80458680 DNS type 'mx' lookup of libsisimai.org responded with code NOERROR The domain libsisimai.org doesn't receive email according to the administrator: returned Null MX", { ...OTHER, status: '4.0.0', host: null }, 'notaccept', 'recipient', 'generic/not-accept'],
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

t.test('the SMTP stage says who: "user unknown" is the recipient at RCPT, our sender at MAIL FROM, unconfirmed after DATA', async t => {
  const cases: Array<[string, object, string, string, string]> = [
    ['550 5.1.1 <x@example.org>... User unknown', { stage: 'rcpt' }, 'userunknown', 'recipient', 'generic/user-unknown'],
    ['550 Unknown user x@example.org', { stage: 'rcpt' }, 'userunknown', 'recipient', 'generic/user-unknown'],
    ['550 5.1.1 <bounce@example.com>... User unknown', { stage: 'mail' }, 'rejected', 'sender_mta', 'generic/user-unknown-at-mail-from'],
    // after DATA, or with no stage and no 5.1.x code: a filter said it (Sisimai `filtered`), soft
    ['550 Unknown user x@example.org', { stage: 'data' }, 'filtered', 'recipient', 'generic/user-unknown-unconfirmed'],
    ['550 x@example.org... No such user', { stage: 'unknown' }, 'filtered', 'recipient', 'generic/user-unknown-unconfirmed'],
    ['550 5.2.1 <x@example.org>... User Unknown', { stage: 'unknown' }, 'filtered', 'recipient', 'generic/user-unknown-unconfirmed'],
    // a 5.1.x code confirms it whatever the stage
    ['550 5.1.1 <x@example.org>... User Unknown', { stage: 'data' }, 'userunknown', 'recipient', 'generic/user-unknown'],
    ['550 5.1.1 <x@example.org>... User Unknown', { stage: 'unknown' }, 'userunknown', 'recipient', 'generic/user-unknown'],
    // the recipient's own system saying so in its own words is not an SMTP reply at an unknown stage
    ['User some.name (x@example.jp) not listed in Domino Directory', { stage: 'unknown', status: '5.0.0', host: null }, 'userunknown', 'recipient', 'generic/recipient-system-no-such-user'],
    // codes at MAIL FROM are about our sender; at connect/HELO about our IP or HELO name
    ['553 5.1.0 neko22nyaan neko.example.com does not exist E2110', { stage: 'mail' }, 'rejected', 'sender_mta', 'generic/refused-at-mail-from'],
    ['550 5.7.1 <root@example.jp>... Access denied', { stage: 'mail' }, 'rejected', 'sender_mta', 'generic/refused-at-mail-from'],
    ['550 Access denied', { stage: 'mail' }, 'rejected', 'sender_mta', 'generic/reply-refused-at-mail-from'],
    ['554 5.5.0 A problem occurred. (BL)', { stage: 'connect' }, 'blocked', 'sender_ip', 'generic/refused-at-connect'],
    ['550 Access denied...7d39d5299584f4be161127e61f5f5400...', { stage: 'connect' }, 'blocked', 'sender_ip', 'generic/reply-refused-at-connect'],
    ['501 5.0.0 Invalid domain name', { stage: 'helo' }, 'blocked', 'sender_mta', 'generic/reply-refused-at-helo'],
    ['521 mx.example.net does not accept mail', { stage: 'connect' }, 'notaccept', 'recipient', 'generic/not-accept'],
    // the same bare 5.7.1 at RCPT says nothing about who acts
    ['550 5.7.1 <x@example.org>... Access denied', { stage: 'rcpt' }, 'securityerror', 'unknown', 'generic/status-delivery-not-authorized'],
  ];
  for (const [text, opts, reason, side, rule] of cases) {
    const v = verdict(text, { ...OTHER, ...opts });
    t.same([v.reason, v.side, v.rule], [reason, side, rule], `${text.slice(0, 60)} ${JSON.stringify(opts)}`);
  }
});

t.test('what the report says beats any wording: complaints, auto-replies, positive DSNs', async t => {
  const arf = verdict('feedback-type: abuse', { host: null, kind: 'arf', status: '2.0.0' });
  t.same([arf.reason, arf.side, arf.rule], ['feedback', 'recipient', 'generic/feedback-report'], 'an ARF complaint: stop mailing that person');
  // even when the complaint quotes words a bounce rule would take
  const quoted = verdict('550 5.1.1 User unknown', { host: null, kind: 'arf', status: '2.0.0' });
  t.equal(quoted.reason, 'feedback');
  const away = verdict('Away until May 5', { host: null, kind: 'autoreply', status: '2.0.0' });
  t.same([away.reason, away.side, away.rule], ['vacation', 'none', 'generic/auto-reply']);
  for (const action of ['delivered', 'relayed', 'expanded'] as const) {
    const v = verdict('250 2.1.5 Ok', { ...OTHER, action });
    t.same([v.reason, v.side], ['delivered', 'none'], action);
  }
});

t.test('Diagnostic-Code x-unix: the recipient\'s local delivery program failed', async t => {
  const v = verdict('127', { host: null, stage: 'unknown', status: '5.0.0', diagnostic_type: 'x-unix' });
  t.same([v.reason, v.side, v.rule], ['mailererror', 'recipient_admin', 'generic/mailer-program-failed']);
  const later = verdict('temporary failure', { host: null, stage: 'unknown', status: '4.3.0', diagnostic_type: 'x-unix', action: 'failed' });
  t.same([later.reason, later.side], ['mailererror', 'transient']);
  // words still win: a local-delivery quota message is the mailbox
  const full = verdict('maildir delivery failed: mailbox is full', { host: null, stage: 'unknown', status: '5.0.0', diagnostic_type: 'x-unix' });
  t.equal(full.reason, 'mailboxfull');
});
