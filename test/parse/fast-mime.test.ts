// Differential test of the fast MIME reader (src/parse/fast-mime.ts) against mailparser: for every
// corpus fixture (and the returned messages inside them) and for synthetic messages covering each
// mailparser/mailsplit rule the reader copies, the fast view is either undefined (the reader bails
// out and mailparser reads the message) or identical to mailparser's view.
//
// Allowed differences: none. Header fields, Subject, content type, report-type and text compare
// with strictSame, part contents byte for byte, and the notes must be the same (the fast reader
// writes none; both views note a body read as plain text). Bail-outs are only checked where the
// reader must bail.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { readMessages } from '../../src/ingest/files.js';
import { readFastMime } from '../../src/parse/fast-mime.js';
import { fastView, mailparserView, normaliseLineEndings, readMime } from '../../src/parse/mime.js';
import type { MessageView } from '../../src/parse/types.js';
import { CORPUS, fixture } from './fixtures/corpus.js';

/** What parse() hands to readMime: lone CRs made CRLF, an mbox postmark line dropped. */
function prepared(raw: Buffer): Buffer {
  const n = normaliseLineEndings(raw);
  if (n.subarray(0, 5).toString('latin1') !== 'From ') return n;
  const nl = n.indexOf(10);
  return nl === -1 ? Buffer.alloc(0) : n.subarray(nl + 1);
}

function comparable(view: MessageView): unknown {
  return { ...view, parts: view.parts.map(p => ({ contentType: p.contentType, content: p.content.toString('base64') })) };
}

/** Compare with mailparser when the fast reader takes the message; true when it did. */
async function differential(t: Test, name: string, raw: Buffer): Promise<boolean> {
  const fastNotes: string[] = [];
  const fast = fastView(raw, fastNotes);
  if (!fast) return false;
  const notes: string[] = [];
  const slow = await mailparserView(raw, notes);
  t.strictSame(comparable(fast), comparable(slow), `${name}: the same view as mailparser`);
  t.strictSame(fastNotes, notes, `${name}: the same notes as mailparser`);
  return true;
}

const crlf = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'latin1');
const toLf = (raw: Buffer): Buffer => Buffer.from(raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');

t.test('every corpus fixture reads the same as with mailparser, or goes to mailparser', async t => {
  let total = 0;
  let fast = 0;
  for (const folder of ['maildir', 'mailbox']) {
    for await (const m of readMessages(join(CORPUS, folder))) {
      const name = `${m.file.slice(CORPUS.length)}#${m.message}`;
      const raw = prepared(m.raw);
      total++;
      if (await differential(t, name, raw)) fast++;
      // A forwarded bounce is parsed again from its message/rfc822 part (parse/index.ts).
      const slow = await mailparserView(raw, []);
      for (const [i, part] of slow.parts.entries()) {
        if (part.contentType === 'message/rfc822') await differential(t, `${name} part ${i}`, prepared(part.content));
      }
    }
  }
  t.comment(`${fast} of ${total} corpus messages take the fast path`);
  t.ok(total > 60 && fast > 0, 'the corpus was read');
});

t.test('the common DSN shapes take the fast path', async t => {
  const shapes: [string, string[]][] = [
    ['maildir/bsd/lhost-postfix-02.eml', ['message/delivery-status', 'message/rfc822']],
    ['maildir/dos/lhost-postfix-01.eml', ['message/delivery-status', 'message/rfc822']], // cut short at the end
    ['maildir/bsd/lhost-sendmail-01.eml', ['message/delivery-status', 'message/rfc822']],
    ['maildir/bsd/lhost-exim-01.eml', []],
    ['maildir/bsd/lhost-exim-38.eml', []],
    ['maildir/bsd/lhost-qmail-01.eml', []],
    ['maildir/bsd/rhost-microsoft-01.eml', ['message/delivery-status', 'text/rfc822-headers']],
    ['maildir/bsd/lhost-exchange2007-06.eml', ['message/delivery-status', 'message/rfc822']],
    ['maildir/bsd/lhost-amazonses-01.eml', ['message/delivery-status', 'message/rfc822']],
    ['maildir/bsd/arf-02.eml', ['message/feedback-report', 'message/rfc822']],
  ];
  for (const [file, parts] of shapes) {
    const raw = prepared(fixture(file));
    const why: { reason?: string } = {};
    t.ok(readFastMime(raw, why), `${file}: fast path (${why.reason ?? 'taken'})`);
    t.ok(await differential(t, file, raw), `${file}: compared`);
    t.strictSame(fastView(raw)?.parts.map(p => p.contentType), parts, `${file}: leaf parts`);
  }
});

t.test('readMime uses the fast path and notes nothing for it', async t => {
  const raw = prepared(fixture('maildir/bsd/lhost-postfix-02.eml'));
  const notes: string[] = [];
  t.strictSame(comparable(await readMime(raw, notes)), comparable(fastView(raw)!));
  t.strictSame(notes, []);
});

// Text in each charset the reader decodes itself: every printable byte, quoted-printable.
function qpBytes(from: number, to: number): string {
  let s = '';
  for (let b = from; b <= to; b++) s += `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return s.match(/.{1,60}/g)!.join('=\r\n');
}
const CHARSETS = [
  'utf-8', 'us-ascii', 'iso-8859-1', 'ISO-8859-2', 'iso-8859-3', 'iso-8859-4', 'iso-8859-5', 'iso-8859-6', 'iso-8859-7', 'iso-8859-8',
  'iso-8859-8-i', 'iso-8859-9', 'iso-8859-10', 'iso-8859-13', 'iso-8859-14', 'iso-8859-15', 'windows-1250', 'windows-1251',
  'windows-1252', 'windows-1254', 'windows-1257', 'koi8-r', 'unicode-1-1-utf-7',
];

const report = (...parts: string[]): Buffer =>
  crlf('From: MAILER-DAEMON@mx.example', 'Subject: Undelivered Mail', 'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"', '', 'preamble', '', ...parts, '--b1--', '');
const original = Buffer.from('From: a@example.org\r\nSubject: original\r\n\r\nhello there\r\n'.repeat(10)).toString('base64').match(/.{1,76}/g)!;
const utf8Subject = Buffer.from('Zustellung fehlgeschlagen: Grüße').toString('base64');

// Each rule the reader copies from mailparser 3.14 / mailsplit 5.4 / libmime 5.6, as a message
// the fast path must take and read exactly as mailparser does (in CRLF and in LF).
const SAME: [string, Buffer][] = [
  ...CHARSETS.map((cs): [string, Buffer] => [`text in ${cs}`, crlf('Subject: x', `Content-Type: text/plain; charset="${cs}"`, 'Content-Transfer-Encoding: quoted-printable', '', qpBytes(0x20, 0x7e), qpBytes(0xa0, 0xff), '')]),
  ['a UTF-8 character split across two B words', crlf(`Subject: =?UTF-8?B?${utf8Subject.slice(0, 30)}?=`, ` =?utf-8?B?${utf8Subject.slice(30)}?=`, '', 'body', '')],
  ['Q words in several charsets', crlf('Subject: =?iso-8859-1?Q?D=E9livraison_=E9chou=E9e?= =?utf-8?q?_=E2=80=94_retour?= and text =?us-ascii?Q?x?=', '', 'body', '')],
  ['ISO-2022-JP words joined before decoding', crlf('Subject: =?ISO-2022-JP?B?GyRCJUclIyVsGyhC?= =?ISO-2022-JP?B?GyRCJS8lSCVqJEskTzgrJEQkKyRqJF4kOyRzISMbKEI=?=', '', 'body', '')],
  ['a raw UTF-8 Subject', crlf('Subject: Zustellung fehlgeschlagen: Gr\xc3\xbc\xc3\x9fe', '', 'body', '')],
  ['an empty Subject before a second one', crlf('Subject:', 'Subject: second', '', 'body', '')],
  ['format=flowed with delsp', crlf('Subject: x', 'Content-Type: text/plain; format=flowed; delsp=yes', '', 'This is a long  ', 'line that flows.', '> quoted ', '> more', '-- ', 'sig', '')],
  ['format=flowed', crlf('Subject: x', 'Content-Type: text/plain; charset=utf-8; format=Flowed', '', 'This is a long ', ' line that flows.', '')],
  ['a part body that is one empty line', report('--b1', 'Content-Type: text/plain', '', 'Mail failed.', '--b1', 'Content-Type: message/delivery-status', '', '', '--b1', 'Content-Type: text/rfc822-headers', '', '', '')],
  ['an HTML-only notification', crlf('Subject: x', 'Content-Type: text/html; charset=utf-8', '', '<html><body><p>Delivery&nbsp;failed</p><br>to a@b.example</body></html>', '')],
  ['an empty text alternative to HTML', crlf('Subject: x', 'Content-Type: multipart/alternative; boundary=alt', '', '--alt', 'Content-Type: text/plain', '', '', '--alt', 'Content-Type: text/html', '', '<p>failed</p>', '--alt--', '')],
  ['HTML between text parts', crlf('Subject: x', 'Content-Type: multipart/mixed; boundary=m', '', '--m', 'Content-Type: text/plain', '', 'plain words', '--m', 'Content-Type: text/html', '', '<p>html words</p>', '--m', 'Content-Type: text/plain', '', 'more', '--m--', '')],
  ['base64 text without padding', crlf('Subject: x', 'Content-Type: text/plain', 'Content-Transfer-Encoding: base64', '', Buffer.from('Delivery failed!').toString('base64').replace(/=+$/, ''), '')],
  ['a base64 returned message', report('--b1', 'Content-Type: text/plain', '', 'see attached', '--b1', 'Content-Type: message/rfc822', 'Content-Transfer-Encoding: base64', '', ...original, '')],
  ['quoted-printable corner cases', crlf('Subject: x', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: Quoted-Printable', '', 'trailing   ', 'soft=', 'break and =4=', '1 straddle', '== and =ZZ and =', '')],
  ['an empty last part at the end of input', crlf('Subject: x', 'Content-Type: multipart/mixed; boundary=m', '', '--m', 'Content-Type: text/html', '', '<p>x</p>', '--m', 'Content-Type: text/plain', '', 'words', '--m', '')],
  ['a returned message cut short', crlf('Subject: x', 'Content-Type: multipart/mixed; boundary=m', '', '--m', 'Content-Type: text/plain', '', 'words', '--m', 'Content-Type: message/rfc822', '', 'From: a@b', 'Subject: cut', '', 'body cut')],
  ['a part header cut short', crlf('Subject: x', 'Content-Type: multipart/mixed; boundary=m', '', '--m', 'Content-Type: text/plain', '', 'words', '--m', 'Content-Type: message/rfc822')],
  ['a text part sent as an attachment', report('--b1', 'Content-Type: text/plain', '', 'words', '--b1', 'Content-Type: text/plain', 'Content-Disposition: attachment; filename="x.txt"', '', 'attached', '')],
  ['parts without a Content-Type', report('--b1', '', 'words without headers', '--b1', 'Content-Disposition: inline', '', 'more words', '')],
  ['a report inside a multipart/mixed', crlf('Subject: x', 'Content-Type: multipart/mixed; boundary="outer"', '', '--outer',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="inner"', '', '--inner', 'Content-Type: text/plain; charset=us-ascii', '', 'failed',
    '--inner', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; x', '', 'Final-Recipient: rfc822; a@b', 'Action: failed', 'Status: 5.1.1', '',
    '--inner--', 'epilogue', '--outer', 'Content-Type: image/png; name="x.png"', 'Content-Transfer-Encoding: base64', '', 'iVBORw0KGgo=', '--outer--', 'after')],
  ['a quoted boundary with parentheses (Sun Messaging Server)', crlf('Subject: x', 'Content-type: multipart/report; report-type=delivery-status;', ' boundary="Boundary_(ID_abc)"', '', '--Boundary_(ID_abc)', 'Content-type: text/plain', '', 'failed', '--Boundary_(ID_abc)--', '')],
  ['ISO-2022-JP text (JIS X 0208, JIS C 6226, half-width katakana)', crlf('Subject: x', 'Content-Type: text/plain; charset=ISO-2022-JP', '',
    '\x1b$B$3$s$K$A$O\x1b(B hello', '\x1b$@0!\x1b(B \x1b(I12\x1b(B', '')],
  ['ISO-2022-JP label on UTF-8 text (a re-encoding gateway)', crlf('Subject: x', 'Content-Type: text/plain; charset=ISO-2022-JP', '', '\xef\xbb\xbfGr\xc3\xbc\xc3\x9fe \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\xa7', '')],
  // encoding-japanese reads 8-bit bytes under this label as UTF-8 without checking anything.
  ['8-bit ISO-2022-JP text that is not UTF-8 (Shift_JIS, EUC-JP, broken sequences)', crlf('Subject: x', 'Content-Type: text/plain; charset=iso-2022-jp', '',
    '\x82\xa0\x82\xa2 \xa4\xb3\xa4\xf3 \xc0\x80 \xed\xa0\x80 \xf4\x90\x80\x80 \xf8\xff \xef\xbb\xbf \xbf\x80 end \xe3\x81', '')],
  ['8-bit ISO-2022-JP text ending in a cut sequence', crlf('Subject: x', 'Content-Type: text/plain; charset=ISO-2022-JP', '', '\xef\xbb\xbfBOM first, then \xf0\x9f')],
  ['a header line without a colon, continued', crlf('Subject: x', 'X-Broken', ' : continued', 'Content-Type: text/plain; ; charset=utf-8; flag;', '', 'b', '')],
  // mailsplit reads it all as preamble: no parts, and both views read the body as plain text.
  ['a top-level boundary that never appears', crlf('Subject: x', 'Content-Type: multipart/mixed; boundary="m"', '', '--other', 'Content-Type: text/plain', '', 'b', '--other--', '')],
  ['a top-level boundary that never appears, nothing after the header', crlf('Subject: x', 'Content-Type: multipart/report; boundary="m"', '', '')],
  ['a top-level boundary that never appears, only its longer cousin', crlf('Subject: x', 'Content-Type: multipart/mixed; boundary="m"', '', '--mm', 'text', '--m-x', '')],
  ['a multipart without a boundary inside a report', report('--b1', 'Content-Type: text/plain', '', 'failed', '--b1', 'Content-Type: multipart/alternative; differences=Content-Type;',
    'boundary="lost"', '', '--lost', 'Content-Type: text/plain', '', 'hidden words', '--lost--', '', '--b1', 'Content-Type: message/delivery-status', '', 'Final-Recipient: rfc822; a@b', 'Action: failed', '')],
  ['a top-level multipart without a boundary', crlf('Subject: x', 'Content-Type: multipart/mixed', '', '--m', 'Content-Type: text/plain', '', 'b', '--m--', '')],
  // An inner multipart left open: its last part ends at the parent's delimiter, as mailsplit reads it.
  ['an inner multipart without its closing delimiter', crlf('Subject: x', 'Content-Type: multipart/mixed; boundary="outer"', '', '--outer',
    'Content-Type: multipart/alternative; boundary="inner"', '', '--inner', 'Content-Type: text/plain', '', 'a', '--outer', 'Content-Type: text/plain', '', 'b', '--outer--', '')],
  ['an open report closed by its parent, the returned message last', crlf('Subject: x', 'Content-Type: multipart/mixed; boundary="outer"', '', '--outer',
    'Content-Type: multipart/report; boundary="inner"', '', '--inner', 'Content-Type: text/plain', '', 'failed', '--inner', 'Content-Type: message/rfc822', '',
    'From: a@b', 'Subject: s', '', 'body', '', '--outer--', 'epilogue')],
  ['an open multipart whose last part is one empty line', crlf('Subject: x', 'Content-Type: multipart/mixed; boundary="outer"', '', '--outer',
    'Content-Type: multipart/mixed; boundary="inner"', '', '--inner', 'Content-Type: text/plain', '', 'a', '--inner', 'Content-Type: message/delivery-status', '', '', '--outer', 'Content-Type: text/plain', '', 'b', '--outer--', '')],
  ['delimiters with trailing blanks', crlf('Subject: x', 'Content-Type: multipart/mixed; boundary="m"', '', '--m  ', 'Content-Type: text/plain', '', 'b', '--m-- \t', '')],
];

t.test('each copied mailparser rule gives the same view, CRLF and LF', async t => {
  for (const [name, raw] of SAME) {
    for (const [ending, bytes] of [['CRLF', raw], ['LF', toLf(raw)]] as const) {
      const why: { reason?: string } = {};
      t.ok(readFastMime(bytes, why), `${name} (${ending}): fast path (${why.reason ?? 'taken'})`);
      await differential(t, `${name} (${ending})`, bytes);
    }
  }
});

// Where mailparser might read differently, or where the input is hostile, the reader must bail
// out (and readMime must still answer, through mailparser).
const nested = Array.from({ length: 10_000 }, (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`).join('');
const BAIL: [string, RegExp, Buffer][] = [
  ['a nested boundary that never appears', /no closing delimiter/, crlf('Subject: x', 'Content-Type: multipart/mixed; boundary="outer"', '', '--outer',
    'Content-Type: multipart/alternative; boundary="inner"', '', '--other', 'Content-Type: text/plain', '', 'b', '--outer--', '')],
  ['a closing delimiter before any part', /closing delimiter before/, crlf('Subject: x', 'Content-Type: multipart/mixed; boundary="m"', '', '--m--', '--m', '', 'b', '--m--', '')],
  ['10,000 nested multiparts', /nested/, Buffer.from(`${nested}Content-Type: text/plain\r\n\r\nhi\r\n`)],
  ['10,000 parts', /too many/, Buffer.concat([crlf('Content-Type: multipart/mixed; boundary="b"', '', ''), Buffer.from('--b\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(10_000)), crlf('--b--', '')])],
  ['binary junk', /./, Buffer.from(Array.from({ length: 65_536 }, (_, i) => (i * 7919 + 13) & 0xff))],
  ['NUL bytes', /./, Buffer.alloc(100_000)],
  ['a 2 MB header line', /header block too large/, crlf(`X-Long: ${'a'.repeat(2 * 1024 * 1024)}`, '', 'body')],
  ['a bare CR', /bare CR/, Buffer.from('Subject: x\r\n\r\nline one\rline two\r\n')],
  ['an mbox postmark', /preamble/, crlf('From someone@example.org Thu Jan  1 00:00:00 2026', 'Subject: x', '', 'b', '')],
  ['an unknown charset', /charset/, crlf('Subject: x', 'Content-Type: text/plain; charset=x-nonsense', '', 'b', '')],
  ['windows-1253 (0xAA differs between the decoders)', /charset/, crlf('Subject: x', 'Content-Type: text/plain; charset=windows-1253', '', 'b', '')],
  ['a windows-1252-only byte in ISO-8859-1', /charset/, crlf('Subject: x', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable', '', 'price =80 5', '')],
  ['8-bit bytes beside ISO-2022-JP escapes', /charset/, crlf('Subject: x', 'Content-Type: text/plain; charset=iso-2022-jp', '', '\x1b$B0!\x1b(B Gr\xc3\xbc\xc3\x9fe', '')],
  ['JIS X 0201 Roman in ISO-2022-JP', /charset/, crlf('Subject: x', 'Content-Type: text/plain; charset=iso-2022-jp', '', 'a \x1b(J\\~\x1b(B', '')],
  ['NEC row 13 in ISO-2022-JP', /charset/, crlf('Subject: x', 'Content-Type: text/plain; charset=iso-2022-jp', '', '\x1b$B-p\x1b(B', '')],
  ['an unknown transfer encoding', /transfer encoding/, crlf('Subject: x', 'Content-Transfer-Encoding: x-uuencode', '', 'b', '')],
  ['padding inside base64', /base64/, crlf('Subject: x', 'Content-Transfer-Encoding: base64', '', 'YQ==YmM=', '')],
  ['an encoded word in an unknown charset', /Subject/, crlf('Subject: =?x-unknown?Q?abc?=', '', 'b', '')],
  ['an encoded word with a space inside', /Subject/, crlf('Subject: =?utf-8?Q?a b?=', '', 'b', '')],
  ['a comment in Content-Type', /Content-Type syntax/, crlf('Subject: x', 'Content-Type: text/plain (comment); charset=utf-8', '', 'x', '')],
  ['an RFC 2231 parameter', /Content-Type syntax/, crlf('Subject: x', "Content-Type: text/plain; charset*=utf-8''x", '', 'x', '')],
  ['a named octet-stream (mailparser renames it)', /octet-stream/, report('--b1', 'Content-Type: text/plain', '', 'x', '--b1', 'Content-Type: application/octet-stream; name="m.eml"', '', 'From: a', '')],
  ['nested boundaries that overlap', /overlap/, crlf('Subject: x', 'Content-Type: multipart/mixed; boundary="m"', '', '--m', 'Content-Type: multipart/mixed; boundary="m--"', '', '--m--', '--m----', '--m--', '')],
];

t.test('ambiguous and hostile input goes to mailparser', async t => {
  for (const [name, reason, raw] of BAIL) {
    const why: { reason?: string } = {};
    t.equal(readFastMime(raw, why), undefined, `${name}: bails out`);
    t.match(why.reason ?? 'fastView: no text and no parts', reason, `${name}: ${why.reason}`);
    t.equal(fastView(raw), undefined, `${name}: no fast view`);
    const view = await readMime(raw, []);
    t.ok(Array.isArray(view.header) && typeof view.text === 'string', `${name}: readMime still answers`);
  }
});
