// Per-recipient facts from real DSNs and NDRs, one row per expected record: recipient, action,
// status, reply code, SMTP stage, rejecting host and the innermost reply we classify on.
// Statuses and reply codes agree with the corpus labels (labels.test.ts); stage, host and
// diagnostic were read off each message by hand.
import t from 'tap';
import { OPTS, parseFixture } from './fixtures/corpus.js';
import { parseReport } from '../../src/parse/index.js';

interface Row {
  file: string;
  kind: 'dsn' | 'ndr';
  recipient: string;
  action: string;
  status: string;
  replyCode: string | undefined;
  stage: string;
  remoteMta: string | undefined;
  diagnostic: string;
  generator?: string;
  /** False for delay notices (kept as records, but not a bounce). */
  bounce?: boolean;
}

const ROWS: Row[] = [
  // Postfix: stage from "(in reply to ... command)" in the prose, host from Remote-MTA.
  { file: 'lhost-postfix-02', kind: 'dsn', recipient: 'filtered@example.co.jp', action: 'failed', status: '5.2.1', replyCode: '550', stage: 'rcpt', remoteMta: 'mx.example.co.jp',
    diagnostic: '550 5.2.1 <filtered@example.co.jp>... User Unknown', generator: 'postfix' },
  { file: 'lhost-postfix-02', kind: 'dsn', recipient: 'userunknown@example.co.jp', action: 'failed', status: '5.1.1', replyCode: '550', stage: 'rcpt', remoteMta: 'mx.example.co.jp',
    diagnostic: '550 5.1.1 <userunknown@example.co.jp>... User Unknown' },
  { file: 'lhost-postfix-04', kind: 'dsn', recipient: 'kijitora@example.co.jp', action: 'failed', status: '5.1.1', replyCode: '550', stage: 'rcpt', remoteMta: 'mx01.example.co.jp',
    diagnostic: '550 5.1.1 Address rejected kijitora@example.co.jp' },
  { file: 'lhost-postfix-08', kind: 'dsn', recipient: 'kijitora@example.com', action: 'failed', status: '4.4.1', replyCode: undefined, stage: 'connect', remoteMta: 'example.com',
    diagnostic: 'X-mPOP-Fallback_MX; connect to example.com[93.184.216.119]: Connection timed out' },
  { file: 'lhost-postfix-09', kind: 'dsn', recipient: 'kijitora@example.ne.jp', action: 'failed', status: '4.3.2', replyCode: '452', stage: 'mail', remoteMta: 'mgate02.dti.ne.jp',
    diagnostic: '452 4.3.2 Connection rate limit exceeded.' },
  // Postfix without a delivery-status part: read from the prose layout.
  { file: 'lhost-postfix-34', kind: 'dsn', recipient: 'kijitora@example.com', action: 'failed', status: '5.0.0', replyCode: undefined, stage: 'unknown', remoteMta: undefined,
    diagnostic: 'Name service error for domain example.com: Host not found, try again', generator: 'postfix' },
  // Sendmail: host and stage from the transcript; ">>> DATA" then "503 Need RCPT" = pipelined RCPT.
  { file: 'lhost-sendmail-01', kind: 'dsn', recipient: 'userunknown@bouncehammer.jp', action: 'failed', status: '5.1.1', replyCode: '550', stage: 'rcpt', remoteMta: 'mx.bouncehammer.jp',
    diagnostic: '550 5.1.1 <userunknown@bouncehammer.jp>... User Unknown', generator: 'sendmail' },
  { file: 'lhost-sendmail-02', kind: 'dsn', recipient: 'userunknown@example.org', action: 'failed', status: '5.1.1', replyCode: '550', stage: 'rcpt', remoteMta: 'mx.example.org',
    diagnostic: '550 5.1.1 <userunknown@example.org>... User Unknown' },
  { file: 'lhost-sendmail-02', kind: 'dsn', recipient: 'filtered@example.com', action: 'failed', status: '5.2.1', replyCode: '550', stage: 'rcpt', remoteMta: 'mx.example.com',
    diagnostic: '550 5.2.1 <filtered@example.com>... User Unknown' },
  { file: 'lhost-sendmail-04', kind: 'dsn', recipient: 'kijitora@example.com', action: 'failed', status: '5.1.8', replyCode: '553', stage: 'mail', remoteMta: 'mx.example.com',
    diagnostic: '553 5.1.8 <httpd@host1.mx.example.jp>... Domain of sender address httpd@host1.mx.example.jp does not exist' },
  // A forwarded Sendmail bounce: the delivery-status fields are quoted ("> ") in the text.
  { file: 'lhost-sendmail-14', kind: 'dsn', recipient: 'kijitora@example.com', action: 'failed', status: '5.1.1', replyCode: '550', stage: 'unknown', remoteMta: 'mx.example.com',
    diagnostic: '550 5.1.1 <kijitora@example.com>... User unknown' },
  // No Diagnostic-Code: the reply is the transcript's summary line for the recipient.
  { file: 'lhost-sendmail-42', kind: 'dsn', recipient: 'nekochan@libsisimai.org', action: 'failed', status: '5.1.2', replyCode: '550', stage: 'unknown', remoteMta: undefined,
    diagnostic: '550 5.1.2 <nekochan@libsisimai.org>... Host unknown (Name server: .: host not found)' },
  // Exim without a delivery-status part, then with one (Status 5.0.0 but the reply says 5.7.1).
  { file: 'lhost-exim-01', kind: 'dsn', recipient: 'kijitora@example.ed.jp', action: 'failed', status: '5.7.0', replyCode: '550', stage: 'mail', remoteMta: 'mx.example.jp',
    diagnostic: '550 5.7.0 <shironeko@example.jp>... Please use the smtp server of your ISP.', generator: 'exim' },
  { file: 'lhost-exim-02', kind: 'dsn', recipient: 'kijitora@example.jp', action: 'failed', status: '5.1.1', replyCode: '550', stage: 'rcpt', remoteMta: 'mx.example.jp',
    diagnostic: '550 5.1.1 <kijitora@example.jp>... User Unknown' },
  { file: 'lhost-exim-02', kind: 'dsn', recipient: 'sabatora@example.jp', action: 'failed', status: '5.2.1', replyCode: '550', stage: 'rcpt', remoteMta: 'mx.example.jp',
    diagnostic: '550 5.2.1 <sabatora@example.jp>... User Unknown' },
  { file: 'lhost-exim-05', kind: 'dsn', recipient: 'kijitora@neko.example.co.jp', action: 'failed', status: '5.1.1', replyCode: '553', stage: 'rcpt', remoteMta: 'mx49.neko.example.co.jp',
    diagnostic: '553 5.1.1 unknown or illegal user: kijitora@neko.example.co.jp' },
  { file: 'lhost-exim-43', kind: 'dsn', recipient: 'kijitora@example.net', action: 'failed', status: '5.7.1', replyCode: '550', stage: 'mail', remoteMta: 'mail-mx1.example.net',
    diagnostic: '550 5.7.1 Connections not accepted from servers without a valid sender domain. Fix reverse DNS for 203.0.113.2', generator: 'exim' },
  // Exim delay warning (prose only): a record, but not a bounce.
  { file: 'lhost-exim-38', kind: 'dsn', recipient: 'kijitora@example.co.jp', action: 'delayed', status: '4.0.0', replyCode: '450', stage: 'mail', remoteMta: 'mta-nyaan.example.co.jp',
    diagnostic: '450 service permits 2 unverifyable sending IPs - neko.example.com is not 203.0.113.222', bounce: false },
  // MXLogic's Exim-like template with the reply on the address line; Exim 3's "Failed addresses follow".
  { file: 'lhost-mxlogic-01', kind: 'dsn', recipient: 'kijitora@example.co.jp', action: 'failed', status: '5.1.1', replyCode: '550', stage: 'unknown', remoteMta: undefined,
    diagnostic: '550 5.1.1 <kijitora@example.co.jp>: Recipient address rejected: User unknown in local recipient table', generator: 'exim' },
  { file: 'rfc3464-37', kind: 'dsn', recipient: 'kijitora@neko.nyaan.example.com', action: 'failed', status: '5.0.0', replyCode: undefined, stage: 'unknown', remoteMta: undefined,
    diagnostic: 'unknown host', generator: 'exim' },
  // Sendmail V5 (no delivery-status part): recipient and reply from the transcript.
  { file: 'lhost-v5sendmail-02', kind: 'dsn', recipient: 'kijitora@neko.example.org', action: 'failed', status: '5.0.0', replyCode: '550', stage: 'unknown', remoteMta: undefined,
    diagnostic: '550 Host unknown (Authoritative answer from name server)', generator: 'sendmail' },
  // qmail (prose only): stage from "does not like recipient" / "sender was rejected".
  { file: 'lhost-qmail-02', kind: 'dsn', recipient: 'userunknown@example.jp', action: 'failed', status: '5.1.1', replyCode: '550', stage: 'rcpt', remoteMta: '192.0.2.153',
    diagnostic: '550 5.1.1 <userunknown@example.jp>... User Unknown', generator: 'qmail' },
  { file: 'lhost-qmail-02', kind: 'dsn', recipient: 'filtered@example.jp', action: 'failed', status: '5.2.1', replyCode: '550', stage: 'rcpt', remoteMta: '192.0.2.153',
    diagnostic: '550 5.2.1 <filtered@example.jp>... User Unknown' },
  { file: 'lhost-qmail-03', kind: 'dsn', recipient: 'kijitora@example.org', action: 'failed', status: '5.7.1', replyCode: '550', stage: 'mail', remoteMta: '192.0.2.225',
    diagnostic: '550 5.7.1 <root@nijo.example.jp>... Access denied' },
  // Microsoft rejections and Microsoft-written NDRs.
  { file: 'rhost-microsoft-01', kind: 'dsn', recipient: 'kijitora@example.com', action: 'failed', status: '5.7.606', replyCode: '550', stage: 'rcpt', remoteMta: 'example.com.mail.protection.outlook.com',
    diagnostic: '550 5.7.606 Access denied, banned sending IP [198.51.100.222]. To request removal from this list please visit https://sender.office.com/ and follow the directions. For more information please go to http://go.microsoft.com/fwlink/?LinkID=526655 (AS16012609)', generator: 'sendmail' },
  { file: 'rhost-microsoft-03', kind: 'ndr', recipient: 'kijitora@example.com', action: 'failed', status: '5.1.10', replyCode: '550', stage: 'post_accept', remoteMta: 'neko220022.namprd22.prod.outlook.com',
    diagnostic: '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup', generator: 'microsoft' },
  { file: 'rhost-microsoft-05', kind: 'dsn', recipient: 'pseudo-local-part-of-microsoft@outlook.com', action: 'failed', status: '4.7.650', replyCode: '451', stage: 'mail', remoteMta: 'outlook-com.olc.protection.outlook.com',
    diagnostic: '451 4.7.650 The mail server [192.0.2.25] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S3113) [5NY1SSJFSTZJRJBG.eurprd02.prod.outlook.com 2024-05-09T23:34:45.000Z GLXTWVLGZHZNHVXY]', generator: 'postfix' },
  { file: 'rhost-microsoft-06', kind: 'dsn', recipient: 'sabineko@example.onmicrosoft.com', action: 'failed', status: '5.7.515', replyCode: '550', stage: 'data', remoteMta: '198.51.100.25',
    diagnostic: "550 5.7.515 Access denied, sending domain NYAAAAN.EXAMPLE.JP doesn't meet the required authentication level. The sender's domain in the 5322.From address doesn't meet the authentication requirements defined for the sender. To learn how to fix this see: https://go.microsoft.com/fwlink/p/?linkid=2319303 Spf= Fail , Dkim= Pass , DMARC= Pass [0000000000000.JPNP255.PROD.OUTLOOK.COM 2025-05-25T22:22:22.000Z 0000000000000EEE] [0000000000000.jpnprd00.prod.outlook.com 2025-05-25T22:22:22.000Z 0000000000000EEE] [0000000000000EE.apcprd00.prod.outlook.com 2025-05-25T22:22:22.000Z 0000000000000EEE]", generator: 'qmail' },
  // "550 5.1.351 Remote server returned ... -> 550 Unknown user": the arrow's right side is the
  // reply; the wrapper's 5.1.351 is the only enhanced code, so it is the status.
  { file: 'lhost-office365-09', kind: 'ndr', recipient: 'azumakuniyuki@example.ne.jp', action: 'failed', status: '5.1.351', replyCode: '550', stage: 'post_accept', remoteMta: 'example.ne.jp',
    diagnostic: '550 Unknown user azumakuniyuki@example.ne.jp', generator: 'microsoft' },
  { file: 'lhost-exchange2007-06', kind: 'ndr', recipient: 'transports@agglo-saumur.fr', action: 'failed', status: '5.1.1', replyCode: '550', stage: 'post_accept', remoteMta: 'srv124.ville-saumur.fr',
    diagnostic: '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found' },
  // Amazon SES wraps the reply: in quotes, or as the last "<421 ...>" of an expiry.
  { file: 'lhost-amazonses-01', kind: 'dsn', recipient: 'shironeko@example.co.jp', action: 'failed', status: '5.7.1', replyCode: '550', stage: 'unknown', remoteMta: '192.0.2.222',
    diagnostic: '550 5.7.1 <000001321defbd2a-788e31c8-2be1-422f-a8d4-cf7765cc9ed7-000000@email-bounces.amazonses.com>... Access denied' },
  { file: 'lhost-amazonses-17', kind: 'dsn', recipient: 'kijitora@example.com', action: 'failed', status: '4.4.2', replyCode: '421', stage: 'unknown', remoteMta: undefined,
    diagnostic: '421 4.4.2 Connection timed out' },
  { file: 'lhost-gmail-16', kind: 'dsn', recipient: 'mailboxfull@bouncehammer.jp', action: 'failed', status: '5.2.2', replyCode: '550', stage: 'unknown', remoteMta: 'mx.bouncehammer.jp',
    diagnostic: '550 5.2.2 <mailboxfull@bouncehammer.jp>... Mailbox Full', generator: 'google' },
  // The Content-Type boundary does not match the body's (a real Postfix relay bug): read as text.
  { file: 'rhost-google-02', kind: 'dsn', recipient: 'neko-nyaan@example.org', action: 'failed', status: '5.1.1', replyCode: '550', stage: 'rcpt', remoteMta: 'aspmx.l.google.com',
    diagnostic: "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. Learn more at 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser e22-n7GpZmsf093195.222 - gsmtp" },
  // multipart/report with no boundary lines at all.
  { file: 'rfc3464-06', kind: 'dsn', recipient: 'kijitora@example.net', action: 'failed', status: '5.5.0', replyCode: '554', stage: 'unknown', remoteMta: undefined,
    diagnostic: '554 <kijitora@example.net>... Service unavailable' },
  // No Diagnostic-Code; the reply is on the recipient's prose line.
  { file: 'lhost-opensmtpd-11', kind: 'dsn', recipient: 'authfailure@libsisimai.net', action: 'failed', status: '5.7.26', replyCode: '550', stage: 'unknown', remoteMta: undefined,
    diagnostic: '550 5.7.26 <authfailure@libsisimai.net>: Recipient address rejected: Multiple authentication checks failed: See https://libsisimai.org/en/reason/#authfailure' },
];

t.test('each expected record is parsed with the right facts', async t => {
  for (const row of ROWS) {
    const report = await parseFixture(`maildir/bsd/${row.file}.eml`);
    const record = report.records.find(r => r.recipient === row.recipient);
    t.ok(record, `${row.file}: record for ${row.recipient}`);
    if (!record) continue;
    t.equal(report.kind, row.kind, `${row.file}: kind`);
    t.equal(report.bounce, row.bounce ?? true, `${row.file}: bounce`);
    if (row.generator) t.equal(report.generator, row.generator, `${row.file}: generator`);
    t.same(
      { action: record.action, status: record.status, replyCode: record.replyCode, stage: record.stage, remoteMta: record.remoteMta, diagnostic: record.diagnostic },
      { action: row.action, status: row.status, replyCode: row.replyCode, stage: row.stage, remoteMta: row.remoteMta, diagnostic: row.diagnostic },
      `${row.file} ${row.recipient}`,
    );
  }
});

t.test('a DSN reports every recipient, in order', async t => {
  for (const [file, expected] of [
    ['lhost-postfix-02', ['filtered@example.co.jp', 'userunknown@example.co.jp']],
    ['lhost-sendmail-02', ['userunknown@example.org', 'filtered@example.com']],
    ['lhost-exim-02', ['kijitora@example.jp', 'sabatora@example.jp']],
    ['lhost-qmail-02', ['userunknown@example.jp', 'filtered@example.jp']],
  ] as const) {
    const report = await parseFixture(`maildir/bsd/${file}.eml`);
    t.same(report.records.map(r => r.recipient), expected, file);
  }
});

t.test('Status: is kept as dsnStatus while the reply decides status', async t => {
  const report = await parseFixture('maildir/bsd/lhost-exim-43.eml');
  const r = report.records[0]!;
  t.equal(r.dsnStatus, '5.0.0', 'Exim writes Status: 5.0.0');
  t.equal(r.status, '5.7.1', 'the reply says 5.7.1');
  t.equal(r.diagnosticType, 'smtp');
  t.equal(r.rawDiagnostic, r.diagnostic, 'no wrapper: the raw value is the reply');
});

t.test('the wrapper of an NDR reply is kept as rawDiagnostic', async t => {
  const r = (await parseFixture('maildir/bsd/lhost-office365-09.eml')).records[0]!;
  t.equal(r.rawDiagnostic, '550 5.1.351 Remote server returned unknown recipient or mailbox unavailable -> 550 Unknown user azumakuniyuki@example.ne.jp');
  t.equal(r.diagnostic, '550 Unknown user azumakuniyuki@example.ne.jp');
});

t.test('per-message and per-recipient fields are kept lower-cased, folded values unfolded', async t => {
  const report = await parseFixture('maildir/bsd/rhost-microsoft-05.eml');
  t.same(report.messageFields, {
    'reporting-mta': 'dns; relay0.example.jp',
    'x-postfix-queue-id': 'WpZGzDpcy1zw5NGv',
    'x-postfix-sender': 'rfc822; kijitora@example.jp',
    'arrival-date': 'Thu,  9 May 2024 23:34:45 +0900 (JST)',
  });
  t.equal(report.reportingMta, 'relay0.example.jp');
  t.equal(report.arrivalDate, 'Thu,  9 May 2024 23:34:45 +0900 (JST)');
  const r = report.records[0]!;
  t.equal(r.originalRecipient, 'pseudo-local-part-of-microsoft@outlook.com');
  t.equal(r.fields['remote-mta'], 'dns; outlook-com.olc.protection.outlook.com');
  t.equal(
    r.fields['diagnostic-code'],
    'smtp; 451 4.7.650 The mail server [192.0.2.25] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S3113) [5NY1SSJFSTZJRJBG.eurprd02.prod.outlook.com 2024-05-09T23:34:45.000Z GLXTWVLGZHZNHVXY]',
    'continuation lines joined with one space',
  );
  t.equal(r.lastAttemptDate, undefined);
  const sendmail = (await parseFixture('maildir/bsd/rhost-microsoft-01.eml')).records[0]!;
  t.equal(sendmail.lastAttemptDate, 'Thu, 29 Apr 2015 20:00:00 +0900');
});

t.test('a local pipe failure names the mailbox, not the command', async t => {
  const r = (await parseFixture('maildir/bsd/lhost-exim-44.eml')).records[0]!;
  t.equal(r.recipient, 'kijitora@example.com');
  t.equal(r.status, '5.0.0');
});

t.test('a program exit status is not a reply: the transcript reply stands in', async t => {
  const r = (await parseFixture('maildir/bsd/lhost-sendmail-18.eml')).records[0]!;
  t.equal(r.diagnosticType, 'x-unix');
  t.equal(r.rawDiagnostic, '255', '"X-Unix; 255" is an exit status, kept as evidence');
  t.equal(r.diagnostic, '554 5.3.0 unknown mailer error 255', 'from the transcript');
  t.equal(r.replyCode, '554');
  t.equal(r.status, '5.3.0');
  t.equal(r.dsnStatus, '5.0.0');
});

t.test('a Sendmail bounce without a delivery-status part is read from its address list', async t => {
  const raw = Buffer.from([
    'From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.jp>',
    'To: <sender@example.jp>',
    'Subject: Returned mail: see transcript for details',
    'Message-Id: <200904290210.n3S2AbIG029209@mx.example.jp>',
    '',
    'The original message was received at Thu, 29 Apr 2009 23:45:01 +0900',
    '',
    '   ----- The following addresses had permanent fatal errors -----',
    '<kijitora@example.com>',
    '    (reason: 550 5.1.1 <kijitora@example.com>... User unknown)',
    '<mikeneko@example.org>',
    '    (reason: 552 5.2.2 <mikeneko@example.org>... Mailbox full)',
    '',
    '   ----- Transcript of session follows -----',
    '... while talking to mx.example.com.:',
    '>>> RCPT To:<kijitora@example.com>',
    '<<< 550 5.1.1 <kijitora@example.com>... User unknown',
    '',
  ].join('\n'));
  const report = await parseReport(raw, OPTS);
  t.equal(report.generator, 'sendmail');
  t.same(report.records.map(r => [r.recipient, r.status, r.replyCode, r.diagnostic]), [
    ['kijitora@example.com', '5.1.1', '550', '550 5.1.1 <kijitora@example.com>... User unknown'],
    ['mikeneko@example.org', '5.2.2', '552', '552 5.2.2 <mikeneko@example.org>... Mailbox full'],
  ]);
  t.equal(report.records[0]!.stage, 'rcpt');
  t.equal(report.records[0]!.remoteMta, 'mx.example.com');
});

t.test('an Exim bounce that names its recipients only in X-Failed-Recipients still has records', async t => {
  const raw = Buffer.from([
    'From: Mail Delivery System <Mailer-Daemon@e1.example.org>',
    'Subject: Mail delivery failed: returning message to sender',
    'X-Failed-Recipients: a@example.net, b@example.net',
    '',
    'Something went wrong, in a template nobody has seen before.',
    '',
  ].join('\n'));
  const report = await parseReport(raw, OPTS);
  t.same(report.records.map(r => [r.recipient, r.action, r.status]), [['a@example.net', 'failed', '5.0.0'], ['b@example.net', 'failed', '5.0.0']]);
  t.equal(report.generator, 'exim');
});
