// parseReport never throws and never hangs, whatever arrives at the bounce address: random
// bytes, a 5 MB garbage body, broken MIME, absurd nesting, hostile field names.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { parseReport } from '../../src/parse/index.js';
import { OPTS } from './fixtures/corpus.js';

const crlf = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'));

const CASES: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from('x')],
  ['random bytes', randomBytes(64 * 1024)],
  ['5 MB garbage body', Buffer.concat([crlf('Subject: x', 'Content-Type: text/plain', '', ''), randomBytes(5 * 1024 * 1024)])],
  ['NUL bytes', Buffer.alloc(100_000)],
  ['only carriage returns', Buffer.from('\r'.repeat(100_000))],
  ['an mbox postmark and nothing else', Buffer.from('From ')],
  ['multipart with no closing boundary', crlf(
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b"', '',
    '--b', 'Content-Type: message/delivery-status', '',
    'Reporting-MTA: dns; x.example', '', 'Final-Recipient: rfc822; a@b.example', 'Action: failed', 'Status: 5.1.1', '')],
  ['multipart without a boundary parameter', crlf('Content-Type: multipart/mixed', '', '--x', 'hello', '--x--', '')],
  ['2000 MIME parts', Buffer.concat([crlf('Content-Type: multipart/mixed; boundary="b"', '', ''), Buffer.from('--b\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(2000)), crlf('--b--', '')])],
  ['200 nested multiparts', Buffer.from(Array.from({ length: 200 }, (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`).join('') + 'Content-Type: text/plain\r\n\r\nhi\r\n')],
  ['a 2 MB header line', crlf(`X-Long: ${'a'.repeat(2 * 1024 * 1024)}`, '', 'body')],
  ['HTML made of unclosed tags', crlf('Content-Type: text/html', '', '<'.repeat(1_000_000) + '<script'.repeat(50_000))],
  ['bad base64 and an unknown charset', crlf('Content-Type: text/plain; charset=x-nonsense', 'Content-Transfer-Encoding: base64', '', '!!!not base64!!!')],
  ['a prototype-polluting field name', crlf(
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b"', '',
    '--b', 'Content-Type: message/delivery-status', '',
    '__proto__: x', '', 'Final-Recipient: rfc822; a@b.example', '__proto__: {"polluted": true}', 'constructor: y', 'Action: failed', '--b--', '')],
];

t.test('hostile input never throws and always yields a report', async t => {
  for (const [name, raw] of CASES) {
    const report = await parseReport(raw, OPTS);
    t.ok(['dsn', 'ndr', 'arf', 'autoreply', 'not_bounce'].includes(report.kind), `${name}: kind ${report.kind}`);
    t.ok(Array.isArray(report.records) && Array.isArray(report.notes), `${name}: records and notes`);
    if (!report.bounce) t.ok(report.why, `${name}: why = ${report.why}`);
  }
  t.equal((Object.prototype as Record<string, unknown>)['polluted'], undefined, 'no prototype pollution');
});

// No timing assertion (speed is measured by `npm run bench`): a quadratic regression on these
// inputs runs for minutes and fails through tap's per-file timeout instead.
t.test('huge delivery-status parts are read whole', async t => {
  const head = 'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x.example\r\n\r\n';
  const many = await parseReport(Buffer.from(head + Array.from({ length: 20_000 }, (_, i) => `Final-Recipient: rfc822; u${i}@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n`).join('') + '--b--\r\n'), OPTS);
  t.equal(many.records.length, 20_000, '20 000 recipients');
  t.match(many.notes, [/more than 1000 recipients/]);
  const wide = await parseReport(Buffer.from(head + 'X-A: b\r\n'.repeat(200_000) + 'Final-Recipient: rfc822; a@b.example\r\nAction: failed\r\n--b--\r\n'), OPTS);
  t.same(wide.records.map(r => r.recipient), ['a@b.example'], '200 000 repeated fields in one group');
});

t.test('a multipart with no closing boundary still yields its record', async t => {
  const report = await parseReport(CASES.find(c => c[0] === 'multipart with no closing boundary')![1], OPTS);
  t.match(report, { kind: 'dsn', bounce: true });
  t.same(report.records.map(r => [r.recipient, r.status, r.action]), [['a@b.example', '5.1.1', 'failed']]);
});

t.test('field names that collide with Object.prototype stay plain data', async t => {
  const report = await parseReport(CASES.find(c => c[0] === 'a prototype-polluting field name')![1], OPTS);
  const fields = report.records[0]!.fields;
  t.equal(Object.getPrototypeOf(fields), Object.prototype);
  t.equal(fields['constructor'], 'y');
  t.notOk(Object.hasOwn(fields, '__proto__'));
});

t.test('MIME limits turn into notes, not failures', async t => {
  const report = await parseReport(CASES.find(c => c[0] === '2000 MIME parts')![1], OPTS);
  t.match(report.notes, [/MIME decoding failed/]);
  const header = await parseReport(CASES.find(c => c[0] === 'a 2 MB header line')![1], OPTS);
  t.match(header.notes, [/MIME decoding failed/]);
});

t.test('input that is not a Buffer is tolerated', async t => {
  const report = await parseReport(undefined as unknown as Buffer, OPTS);
  t.match(report, { kind: 'not_bounce', bounce: false, why: 'empty message' });
  const text = await parseReport('Subject: hi\r\n\r\nhello' as unknown as Buffer, undefined as unknown as typeof OPTS);
  t.equal(text.kind, 'not_bounce');
});

t.test('messages without a header section are not e-mail', async t => {
  const report = await parseReport(Buffer.from('just some words\nand more words\n'), OPTS);
  t.equal(report.why, 'not an e-mail message: no header section');
});
