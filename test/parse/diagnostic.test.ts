// Unit tables for the pieces records are built from: reply analysis (innermost reply, codes),
// SMTP stage phrases, address normalisation, field unfolding and action normalisation.
import t from 'tap';
import { analyseDiagnostic, enhancedStatus } from '../../src/parse/diagnostic.js';
import { stageFromText, stageFromTranscript } from '../../src/parse/stage.js';
import { normaliseAddress } from '../../src/parse/address.js';
import { parseFieldGroups, stripTypePrefix } from '../../src/parse/fields.js';
import { normaliseAction } from '../../src/parse/records.js';
import { decodeEncodedWords } from '../../src/parse/encoded-words.js';

t.test('the innermost reply of a wrapped diagnostic is the one we classify on', async t => {
  const rows: [string, { innermost: string; replyCode?: string; status?: string; type?: string }][] = [
    ["smtp; Remote Server returned '550 5.1.351 Remote server returned unknown recipient or mailbox unavailable -> 550 : User unknown'",
      { innermost: '550 : User unknown', replyCode: '550', status: '5.1.351', type: 'smtp' }],
    ['smtp;550 5.1.351 Remote server returned unknown recipient or mailbox unavailable -> 550 Unknown user a@example.ne.jp',
      { innermost: '550 Unknown user a@example.ne.jp', replyCode: '550', status: '5.1.351', type: 'smtp' }],
    ['<mx.example.com #5.1.1 smtp;550 5.1.1 <kijitora@example.com>... User unknown> #SMTP#',
      { innermost: '550 5.1.1 <kijitora@example.com>... User unknown', replyCode: '550', status: '5.1.1' }],
    ['#< #5.1.1 smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found> #SMTP#',
      { innermost: '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found', replyCode: '550', status: '5.1.1' }],
    ["smtp; 5.1.0 - Unknown address error 550-'5.7.1 <x@example.com>... Access denied' (delivery attempts: 0)",
      { innermost: '550 5.7.1 <x@example.com>... Access denied', replyCode: '550', status: '5.7.1', type: 'smtp' }],
    ['smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>',
      { innermost: '421 4.4.2 Connection timed out', replyCode: '421', status: '4.4.2', type: 'smtp' }],
    ['X-Postfix; host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: Recipient address rejected (in reply to RCPT TO command)',
      { innermost: '550 5.1.1 <a@example.com>: Recipient address rejected', replyCode: '550', status: '5.1.1', type: 'x-postfix' }],
    ['SMTP error from remote mail server after RCPT TO:<a@example.jp>: host mx.example.jp [192.0.2.153]: 550 5.1.1 <a@example.jp>... User Unknown',
      { innermost: '550 5.1.1 <a@example.jp>... User Unknown', replyCode: '550', status: '5.1.1' }],
    ['smtp; 550 5.7.1 Unfolded\n    over   two lines',
      { innermost: '550 5.7.1 Unfolded over two lines', replyCode: '550', status: '5.7.1', type: 'smtp' }],
    ['smtp; 550 Mailbox is frozen.', { innermost: '550 Mailbox is frozen.', replyCode: '550', type: 'smtp' }],
    ['X-Unix; 255', { innermost: '255', type: 'x-unix' }],
    ["smtp; 550 'kijitora' is not a valid mailbox", { innermost: "550 'kijitora' is not a valid mailbox", replyCode: '550', type: 'smtp' }],
    ['', { innermost: '' }],
  ];
  for (const [value, expected] of rows) {
    const d = analyseDiagnostic(value);
    t.same({ innermost: d.innermost, replyCode: d.replyCode, status: d.status, type: d.type },
      { replyCode: undefined, status: undefined, type: undefined, ...expected }, value || '(empty)');
  }
});

t.test('enhanced status codes are found, IP addresses and versions are not', async t => {
  const rows: [string, string | undefined][] = [
    ['550 5.1.1 user unknown', '5.1.1'],
    ['451 4.7.650 The mail server', '4.7.650'],
    ['Unknown user (#5.5.0)', '5.5.0'],
    ['banned sending IP [192.0.2.5]', undefined],
    ['relay 10.5.1.1 refused', undefined],
    ['from 5.1.1.1', undefined],
    ['Exim 4.72', undefined],
    ['550 5.01.1 padded', '5.1.1'],
  ];
  for (const [text, expected] of rows) t.equal(enhancedStatus(text), expected, text);
});

t.test('the SMTP stage is read from the phrases MTAs use', async t => {
  const rows: [string, string | undefined][] = [
    ['... User Unknown (in reply to RCPT TO command)', 'rcpt'],
    ['Rate limited (in reply to MAIL FROM command)', 'mail'],
    ['Message rejected (in reply to end of DATA command)', 'data'],
    ['greeting refused (in reply to HELO command)', 'helo'],
    ['lost connection with mx.example.com[192.0.2.1] while receiving the initial server greeting', 'connect'],
    ['conversation with mx[192.0.2.1] timed out while sending end of data -- message may be sent more than once', 'data'],
    ['connect to mx.example.com[192.0.2.1]:25: Connection refused', 'connect'],
    ['host mx[192.0.2.1] refused to talk to me: 554 go away', 'connect'],
    ['SMTP error from remote mail server after pipelined MAIL FROM:<a@b> SIZE=1655:', 'mail'],
    ['SMTP error from remote mail server after RCPT TO:<a@b>:', 'rcpt'],
    ['SMTP error from remote mail server after end of data:', 'data'],
    ['SMTP error from remote mail server after initial connection:', 'connect'],
    ['Connected to 192.0.2.1 but sender was rejected.', 'mail'],
    ['Connected to 192.0.2.1 but my name was rejected.', 'helo'],
    ['192.0.2.1 does not like recipient.', 'rcpt'],
    ['192.0.2.1 failed after I sent the message.', 'data'],
    ['most progress was RCPT TO response; remote host 192.0.2.32 said: 550', 'rcpt'],
    ['550 5.1.1 User unknown', undefined],
  ];
  for (const [text, expected] of rows) t.equal(stageFromText(text), expected, text);
});

t.test('a transcript gives the stage of the command before the failing reply', async t => {
  t.equal(stageFromTranscript('>>> MAIL From:<a@b> SIZE=800\n<<< 553 5.1.8 Domain of sender does not exist'), 'mail');
  t.equal(stageFromTranscript('>>> RCPT To:<a@b>\n<<< 550 5.1.1 <a@b>... User unknown'), 'rcpt');
  t.equal(stageFromTranscript('>>> DATA\n<<< 554 5.7.1 spam'), 'data');
  t.equal(stageFromTranscript('>>> DATA\n<<< 550 5.1.1 <a@b>... User unknown\n<<< 503 5.0.0 Need RCPT (recipient)'), 'rcpt', 'pipelined RCPT refusal');
  t.equal(stageFromTranscript('<<< 421 go away'), 'connect');
  t.equal(stageFromTranscript(' In:  DATA\n Out: 354 go ahead\n Out: 451 4.3.0 Error: queue file write error'), 'data');
  t.equal(stageFromTranscript('no commands here'), undefined);
});

t.test('recipient addresses are normalised, lower-casing only the domain', async t => {
  const rows: [string, string][] = [
    ['rfc822; Kijitora@Example.COM', 'Kijitora@example.com'],
    ['RFC822;<kijitora@example.com>', 'kijitora@example.com'],
    ['  <kijitora@example.com>  ', 'kijitora@example.com'],
    ['Kijitora <Neko@EXAMPLE.org>', 'Neko@example.org'],
    ['rfc/822;sabatora@example.net', 'sabatora@example.net'],
    ['"neko..nyaan"@example.org', '"neko..nyaan"@example.org'],
    ['|/usr/local/bin/prog kijitora@example.com /home/x', 'kijitora@example.com'],
    ['@relay.example:user@Example.net', 'user@example.net'],
    ['postmaster', 'postmaster'],
    ['', ''],
    ['user@', ''],
  ];
  for (const [value, expected] of rows) t.equal(normaliseAddress(value), expected, value);
});

t.test('field blocks are unfolded with one space and grouped by blank lines', async t => {
  const groups = parseFieldGroups('Reporting-MTA: dns; a.example\r\n\r\nFinal-Recipient: rfc822; b@c.example\r\nDiagnostic-Code: smtp; 550 one\r\n    two\r\n\tthree\r\nnot a field line\r\nAction : failed\r\n');
  t.same(groups, [
    [{ name: 'reporting-mta', value: 'dns; a.example' }],
    [
      { name: 'final-recipient', value: 'rfc822; b@c.example' },
      { name: 'diagnostic-code', value: 'smtp; 550 one two three' },
      { name: 'action', value: 'failed' },
    ],
  ]);
  t.same(stripTypePrefix('dns; mx.example.com'), { type: 'dns', value: 'mx.example.com' });
  t.same(stripTypePrefix('mx.example.com'), { value: 'mx.example.com' });
});

t.test('actions are normalised to the RFC 3464 vocabulary', async t => {
  const notes: string[] = [];
  t.equal(normaliseAction('Failed', '5.1.1', 'a@b', notes), 'failed');
  t.equal(normaliseAction('delayed (will retry)', '4.4.1', 'a@b', notes), 'delayed');
  t.equal(normaliseAction('failure', '5.1.1', 'a@b', notes), 'failed');
  t.same(notes, [], 'known values and synonyms leave no note');
  t.equal(normaliseAction('bogus', '5.1.1', 'a@b', notes), 'failed');
  t.equal(normaliseAction('bogus', '4.2.2', 'a@b', notes), 'delayed');
  t.equal(normaliseAction(undefined, '2.0.0', 'a@b', notes), 'delivered');
  t.equal(normaliseAction(undefined, undefined, 'a@b', notes), 'delayed', 'nothing known: never a failure');
  t.equal(normaliseAction('constructor', '5.0.0', 'a@b', notes), 'failed', 'not an Object.prototype member');
  t.equal(notes.length, 5);
  t.match(notes[0], /a@b: Action "bogus" unknown; treated as failed/);
});

t.test('RFC 2047 encoded words are decoded', async t => {
  t.equal(decodeEncodedWords('=?UTF-8?B?44Gr44KD44KT44GT?='), 'にゃんこ');
  t.equal(decodeEncodedWords('=?iso-8859-1?Q?caf=E9_au_lait?='), 'café au lait');
  t.equal(decodeEncodedWords('=?utf-8?Q?a?= =?utf-8?Q?b?='), 'ab', 'whitespace between words dropped');
  t.equal(decodeEncodedWords('=?x-unknown?Q?a?='), '=?x-unknown?Q?a?=', 'unknown charset kept as written');
  t.equal(decodeEncodedWords('plain'), 'plain');
});
