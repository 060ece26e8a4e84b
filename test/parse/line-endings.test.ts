// The same bounce stored with LF (maildir/bsd), CRLF (maildir/dos) and lone CR (maildir/mac)
// line endings must give the same report: mailparser alone cannot read CR-only files.
import t from 'tap';
import { fixture, OPTS, parseFixture } from './fixtures/corpus.js';
import { normaliseLineEndings } from '../../src/parse/mime.js';
import { parseReport } from '../../src/parse/index.js';

const SAME_MESSAGE = ['lhost-exim-01', 'lhost-postfix-01', 'lhost-qmail-01', 'lhost-sendmail-01', 'rfc3834-01', 'rhost-microsoft-01'];

t.test('LF, CRLF and CR-only copies give identical reports', async t => {
  for (const name of SAME_MESSAGE) {
    const lf = await parseFixture(`maildir/bsd/${name}.eml`);
    const crlf = await parseFixture(`maildir/dos/${name}.eml`);
    const cr = await parseFixture(`maildir/mac/${name}.eml`);
    t.ok(fixture(`maildir/mac/${name}.eml`).includes('\r') && !fixture(`maildir/mac/${name}.eml`).includes('\n'), `${name}: the mac copy is CR-only`);
    t.same(crlf, lf, `${name}: CRLF = LF`);
    t.same(cr, lf, `${name}: CR = LF`);
  }
});

t.test('the CR-only Microsoft rejection is fully read', async t => {
  const report = await parseFixture('maildir/mac/rhost-microsoft-01.eml');
  t.equal(report.kind, 'dsn');
  t.equal(report.header.subject, 'Postmaster notify: see transcript for details');
  t.same(report.records.map(r => [r.recipient, r.status, r.replyCode, r.remoteMta, r.stage]), [
    ['kijitora@example.com', '5.7.606', '550', 'example.com.mail.protection.outlook.com', 'rcpt'],
  ]);
  t.equal(report.original.messageId, '<00000000000000000000000000000000000000000000000@example.net>');
});

t.test('normaliseLineEndings turns lone CRs into CRLF and leaves the rest alone', async t => {
  const cases: [string, string][] = [
    ['a\rb\r', 'a\r\nb\r\n'],
    ['a\r\nb\n', 'a\r\nb\n'],
    ['a\r\r\nb', 'a\r\n\r\nb'],
    ['', ''],
    ['\r', '\r\n'],
  ];
  for (const [input, expected] of cases) {
    t.equal(normaliseLineEndings(Buffer.from(input, 'latin1')).toString('latin1'), expected, JSON.stringify(input));
  }
  const untouched = Buffer.from('no carriage returns\n');
  t.equal(normaliseLineEndings(untouched), untouched, 'same buffer when there is nothing to do');
});

t.test('a DSN rewritten to LF and to CR-only parses like the CRLF original', async t => {
  // This corpus file is stored with CRLF even though it sits in maildir/bsd.
  const crlf = fixture('maildir/bsd/rhost-microsoft-05.eml');
  const text = crlf.toString('latin1');
  t.ok(text.includes('\r\n'), 'stored with CRLF');
  const lf = Buffer.from(text.replace(/\r\n/g, '\n'), 'latin1');
  const cr = Buffer.from(text.replace(/\r\n/g, '\r'), 'latin1');
  const expected = await parseReport(crlf, OPTS);
  t.equal(expected.records.length, 1);
  t.same(await parseReport(lf, OPTS), expected, 'LF');
  t.same(await parseReport(cr, OPTS), expected, 'CR-only');
});
