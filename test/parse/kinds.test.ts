// What a message is when it is not (only) a list of failed recipients: empty files, ordinary
// mail, auto-replies (RFC 3834), complaint feedback (ARF, RFC 5965), delay notices; and the
// report-level facts every kind carries (header, original message, notes).
import t from 'tap';
import { OPTS, parseFixture } from './fixtures/corpus.js';
import { parseReport } from '../../src/parse/index.js';

t.test('empty and tiny files are not bounces, with a reason', async t => {
  for (const file of ['mailbox/size-0', 'mailbox/size-1', 'mailbox/size-2']) {
    const report = await parseFixture(file);
    t.equal(report.kind, 'not_bounce', file);
    t.equal(report.bounce, false, file);
    t.same(report.records, [], file);
    t.ok(report.why && report.why.length > 5, `${file}: why = ${report.why}`);
  }
  t.equal((await parseFixture('mailbox/size-0')).why, 'empty message');
});

t.test('ordinary messages are not bounces', async t => {
  for (const file of ['maildir/not/is-not-bounce-01.eml', 'maildir/not/is-not-bounce-02.eml']) {
    const report = await parseFixture(file);
    t.match(report, { kind: 'not_bounce', bounce: false, records: [] }, file);
    t.equal(report.why, 'no delivery-status part, no known bounce layout, not an auto-reply', file);
  }
  const forwarded = await parseFixture('maildir/not/is-not-bounce-02.eml');
  t.equal(forwarded.header.subject, 'original as attachment', 'subject decoded');
});

t.test('a bounce in an unknown layout says so instead of guessing', async t => {
  const raw = Buffer.from([
    'From: MAILER-DAEMON@mx.example.net', 'To: sender@example.org', 'Subject: Undeliverable mail', '',
    'Something went wrong with a message you sent to somebody@example.com.', 'Sorry.', '',
  ].join('\r\n'));
  const report = await parseReport(raw, OPTS);
  t.match(report, { kind: 'not_bounce', bounce: false, records: [] });
  t.equal(report.why, 'looks like a bounce (subject/sender) but no recipient could be read from it');
});

t.test('auto-replies are kind autoreply with one delivered record for the address that replied', async t => {
  const cases: [string, string, string][] = [
    ['rfc3834-01', 'kijitora@example.net', 'Away until May 5'],
    ['rfc3834-02', 'nekonyaan@example.org', 'Automatic reply: Nyaan'],
    ['rfc3834-03', 'kijitora@apple.example.com', 'Auto reply: Nyaan'],
    ['rfc3834-05', 'foo@bar.net', 'kitununulinitoquekegu'],
  ];
  for (const [file, recipient, diagnostic] of cases) {
    const report = await parseFixture(`maildir/bsd/${file}.eml`);
    t.match(report, { kind: 'autoreply', bounce: false, why: 'auto-reply (RFC 3834)' }, file);
    t.same(report.records, [{ recipient, action: 'delivered', status: '', diagnostic, stage: 'post_accept', fields: {} }], file);
  }
});

t.test('ARF complaints are kind arf with the feedback type and the complaining recipients', async t => {
  const one = await parseFixture('maildir/bsd/arf-02.eml');
  t.equal(one.kind, 'arf');
  t.equal(one.feedbackType, 'abuse');
  t.equal(one.bounce, true);
  // A complaint carries no status code: nobody wrote one, and the record is not a failure.
  t.same(one.records.map(r => [r.recipient, r.action, r.status, r.stage]), [['this-local-part-does-not-exist-on-yahoo@yahoo.com', 'delivered', '', 'post_accept']]);
  t.equal(one.records[0]!.fields['feedback-type'], 'abuse');
  const many = await parseFixture('maildir/bsd/arf-16.eml');
  t.equal(many.records.length, 7, 'one record per Original-Rcpt-To');
});

t.test('an ARF report without any recipient is not a bounce', async t => {
  const raw = Buffer.from([
    'From: fbl@example.net', 'Subject: complaint', 'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="b"', '',
    '--b', 'Content-Type: text/plain', '', 'A complaint.', '',
    '--b', 'Content-Type: message/feedback-report', '', 'Feedback-Type: abuse', 'User-Agent: test/1.0', 'Version: 1', '',
    '--b--', '',
  ].join('\r\n'));
  const report = await parseReport(raw, OPTS);
  t.match(report, { kind: 'arf', bounce: false, why: 'feedback report (ARF)', feedbackType: 'abuse', records: [] });
});

t.test('delay notices keep their records but are not bounces', async t => {
  const report = await parseFixture('maildir/bsd/lhost-sendmail-29.eml');
  t.equal(report.kind, 'dsn');
  t.equal(report.bounce, false);
  t.equal(report.why, 'delivery report without a failed recipient (delayed/delivered/relayed/expanded only)');
  t.same(report.records.map(r => [r.action, r.status, r.replyCode, r.stage]), [['delayed', '4.5.0', '421', 'connect']]);
  const postfix = await parseFixture('maildir/bsd/rfc3464-09.eml');
  t.equal(postfix.records[0]!.action, 'delayed');
  t.equal(postfix.bounce, false);
});

t.test('the report header and the returned original are read', async t => {
  const report = await parseFixture('maildir/bsd/rhost-microsoft-05.eml');
  t.same(report.header, {
    messageId: '<9ltCcYNCJ4zblqrq@relay0.example.jp>',
    from: 'MAILER-DAEMON@relay0.example.jp',
    subject: 'Undelivered Mail Returned to Sender',
    date: 'Thu,  9 May 2024 23:34:45 +0900 (JST)',
  });
  t.same(report.original, {
    messageId: '<WpZGzDpcy1zw5NGv@relay0.example.jp>',
    from: 'kijitora@example.jp',
    to: 'pseudo-local-part-of-microsoft@outlook.com',
    subject: 'Nyaan',
    date: '9 May 2024 23:34:45 +0900',
    envelopeFrom: 'kijitora@example.jp',
  });
  t.equal(report.generator, 'postfix');
  t.same(report.notes, []);
});

t.test('List-Id and the configured stream header (any case) come from the original', async t => {
  const report = await parseFixture('maildir/bsd/rfc3464-09.eml', { streamHeader: 'x-MAILMAN-version' });
  t.equal(report.original.listId, 'neko.example.org');
  t.equal(report.original.stream, '2.1.5');
  t.equal(report.original.envelopeFrom, 'shironeko@example.org', 'from X-Postfix-Sender');
  const without = await parseFixture('maildir/bsd/rfc3464-09.eml');
  t.equal(without.original.stream, undefined, 'no X-Stream header in this original');
});

t.test('the original is found in text/rfc822-headers and in inline copies', async t => {
  const headers = await parseFixture('maildir/bsd/rhost-microsoft-01.eml');
  t.equal(headers.original.subject, 'Nyaan');
  t.equal(headers.original.envelopeFrom, 'root@nyaan.example.ed.jp', 'from Return-Path');
  const qmail = await parseFixture('maildir/bsd/rhost-microsoft-06.eml');
  t.equal(qmail.original.messageId, '<5E82FFFE9D95.88616A92ACCB@relay-1.nyaaaan.example.onmicrosoft.com>', 'after "--- Below this line is a copy of the message."');
  const exim = await parseFixture('maildir/bsd/lhost-exim-01.eml');
  t.equal(exim.original.messageId, '<E1P1ce6-000Egt-GZ@e1.example.org>', 'after "------ This is a copy of the message"');
});

t.test('a prose layout leaves a note saying where the recipients came from', async t => {
  const report = await parseFixture('maildir/bsd/lhost-qmail-01.eml');
  t.same(report.notes, ['no delivery-status part: recipients read from the qmail text layout']);
});

t.test('a bounce forwarded as an attached message is read from the attachment', async t => {
  const report = await parseFixture('maildir/bsd/lhost-x5-01.eml');
  t.equal(report.kind, 'dsn');
  t.same(report.records.map(r => [r.recipient, r.status, r.replyCode]), [['kijitora@neko.example.org', '5.1.1', '550']]);
  t.equal(report.header.subject, 'Returned mail: User unknown', 'the outer message is what we received');
  t.equal(report.reportingMta, 'vrrr-22.int.example.co.jp', 'the inner report wrote the DSN');
  t.equal(report.original.subject, '【TEST】メールアドレスの確認');
  t.same(report.notes, ['the bounce was found inside an attached message (forwarded bounce)']);
});
