// Every prose layout in src/parse/layouts/ against the corpus messages it was written from
// (test/fixtures/corpus/PROVENANCE.md): who is named, with which action, status, reply code,
// stage and rejecting host, and what the diagnostic says. An expectation table, not a snapshot:
// each row is what the message's own text says.
import t from 'tap';
import { fixture, OPTS, parseFixture } from './fixtures/corpus.js';
import { parseReport } from '../../src/parse/index.js';
import type { BounceReport } from '../../src/domain/report.js';

type Rec = [recipient: string, action: string, status: string, replyCode: string | undefined, stage: string, remoteMta: string | undefined];
type Row = [file: string, kind: BounceReport['kind'], generator: string | undefined, records: Rec[], diagnostic: RegExp];

const ROWS: Row[] = [
  // DragonFly Mail Agent: "<host> [ip] did not like our <COMMAND>:", multi-line replies joined.
  ['maildir/bsd/lhost-dragonfly-01.eml', 'dsn', 'dragonfly', [['pseudo-local-part@google.example.com', 'failed', '5.7.26', '550', 'data', 'gmail-smtp-in.l.google.com']], /^550 5\.7\.26 Unauthenticated email from example\.jp is not accepted due to domain's DMARC policy\. Please contact/],
  ['maildir/bsd/lhost-dragonfly-06.eml', 'dsn', 'dragonfly', [['blocked@libsisimai.net', 'failed', '5.7.25', '550', 'rcpt', 'mail-inbound.libsisimai.net']], /Reverse DNS validation failed/],
  ['maildir/bsd/lhost-dragonfly-29.eml', 'dsn', 'dragonfly', [['expired@libsisimai.net', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^Could not deliver for the last 432000 seconds\. Giving up\.$/],
  // Yahoo: qmail-style "<rcpt>:", "Remote host said:", the command in brackets.
  ['maildir/bsd/lhost-yahoo-01.eml', 'dsn', 'yahoo', [['kijitora@example.org', 'failed', '5.1.1', '550', 'rcpt', undefined]], /^550 5\.1\.1 <kijitora@example\.org>\.\.\. User Unknown$/],
  ['maildir/bsd/lhost-yahoo-12.eml', 'dsn', 'yahoo', [['kijitora@example.jp', 'failed', '5.1.8', '501', 'unknown', undefined]], /^501: 5\.1\.8 Sender address rejected$/],
  // Unidentified MTAs, named as Sisimai names them.
  ['maildir/bsd/lhost-x1-01.eml', 'dsn', 'x1', [['kijitora@example.co.jp', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^User unknown$/],
  ['maildir/bsd/lhost-x1-02.eml', 'dsn', 'x1', [['kijitora@example.org', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^User unknown$/],
  ['maildir/bsd/lhost-x2-02.eml', 'dsn', 'x2', [
    ['kijitora@example.com', 'failed', '5.0.0', undefined, 'unknown', undefined],
    ['mikeneko@example.com', 'failed', '5.0.0', undefined, 'unknown', undefined],
    ['sabineko@example.com', 'failed', '5.0.0', undefined, 'unknown', undefined],
  ], /^This user doesn't have a example\.com account \(kijitora@example\.com\) \[0\]$/],
  ['maildir/bsd/lhost-x2-07.eml', 'dsn', 'x2', [['kijitora@example.co.jp', 'failed', '5.4.14', '554', 'data', '192.0.2.1']], /^554 5\.4\.14 Hop count exceeded/],
  ['maildir/bsd/lhost-x3-01.eml', 'dsn', 'x3', [['kijitora@example.com', 'failed', '5.3.0', '553', 'rcpt', '192.0.2.8']], /^553 5\.3\.0 <kijitora@example\.com>\.\.\. No such user here$/],
  ['maildir/bsd/lhost-x3-05.eml', 'dsn', 'x3', [['kijitora@example.or.jp', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^$/],
  ['maildir/bsd/lhost-x4-01.eml', 'dsn', 'x4', [['kijitora@example.com', 'failed', '5.0.0', undefined, 'unknown', undefined]], /user's mailfolder is full/],
  ['maildir/bsd/lhost-x6-01.eml', 'dsn', 'x6', [['kijitora@nyaan.example.org', 'failed', '5.4.6', '554', 'data', '192.0.2.223']], /^554 5\.4\.6 Hop count exceeded - possible mail loop$/],
  ['maildir/bsd/lhost-x6-02.eml', 'dsn', 'x6', [['kijitora@libsisimai.org', 'failed', '5.1.1', '550', 'rcpt', 'smtpd.libsisimai.org']], /^550 5\.1\.1 User unknown$/],
  // Zoho: "rcpt Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 ..." (quoted-printable), delays.
  ['maildir/bsd/lhost-zoho-01.eml', 'dsn', 'zoho', [['kijitora@example.co.jp', 'failed', '5.1.1', '550', 'unknown', undefined]], /^550 5\.1\.1 <kijitora@example\.co\.jp>\.\.\. User Unknown$/],
  ['maildir/bsd/lhost-zoho-02.eml', 'dsn', 'zoho', [
    ['mikeneko@example.co.jp', 'failed', '5.2.1', '550', 'unknown', undefined],
    ['sabineko@example.co.jp', 'failed', '5.2.2', '550', 'unknown', undefined],
  ], /User Unknown$/],
  ['maildir/bsd/lhost-zoho-04.eml', 'dsn', 'zoho', [['kijitora@6kaku.example.co.jp', 'delayed', '4.0.0', '421', 'unknown', undefined]], /^421 Host not reachable\.$/],
  // GMX / 1&1: Exim's intro, their own entries.
  ['maildir/bsd/lhost-gmx-03.eml', 'dsn', 'gmx', [
    ['mikeneko@example.co.jp', 'failed', '5.2.1', undefined, 'rcpt', 'mx.example.co.jp'],
    ['sabineko@example.co.jp', 'failed', '5.2.2', undefined, 'rcpt', 'mx.example.co.jp'],
  ], /^5\.2\.1 <mikeneko@example\.co\.jp>\.\.\. User Unknown$/],
  ['maildir/bsd/lhost-gmx-04.eml', 'dsn', 'gmx', [['kijitora@6jo.example.co.jp', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^delivery retry timeout exceeded$/],
  ['maildir/bsd/lhost-einsundeins-02.eml', 'dsn', 'gmx', [['kijitora@example.org', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^Mail size limit exceeded\./],
  ['maildir/bsd/lhost-einsundeins-03.eml', 'dsn', 'gmx', [['xxxx@xxxx.fr', 'failed', '5.2.0', '550', 'data', 'smtp-in.orange.fr']], /^550 5\.2\.0 Mail rejete\. Mail rejected\./],
  ['maildir/dos/lhost-einsundeins-01.eml', 'dsn', 'gmx', [['general@example.eu', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^Mail size limit exceeded\./],
  ['maildir/mac/lhost-gmx-01.eml', 'dsn', 'gmx', [['shironeko@example.jp', 'failed', '5.2.2', undefined, 'rcpt', 'mx.example.jp']], /Mailbox Full$/],
  // Exchange 2000/2003: "did not reach the following recipient(s):", MTS-ID lines left out.
  ['maildir/bsd/lhost-exchange2003-02.eml', 'ndr', 'microsoft', [
    ['kijitora@example.co.jp', 'failed', '5.0.0', undefined, 'post_accept', undefined],
    ['mikeneko@example.co.jp', 'failed', '5.0.0', undefined, 'post_accept', undefined],
  ], /^The recipient name is not recognized MSEXCH:IMS:KIJITORA CAT:EXAMPLE:EXCHANGE 0 \(000C05A6\) Unknown Recipient$/],
  ['maildir/bsd/lhost-exchange2003-04.eml', 'ndr', 'microsoft', [['kijitora@example.com', 'failed', '5.0.0', undefined, 'post_accept', undefined]], /^Recipient Not Found MSEXCH:IMC:NEKO:KIJITORA:CAT$/],
  ['maildir/bsd/lhost-exchange2003-07.eml', 'ndr', 'microsoft', [['kijitora@example.org', 'failed', '5.0.0', undefined, 'post_accept', undefined]], /\(000C05A6\) Unknown Recipient$/],
  ['maildir/dos/lhost-exchange-01.eml', 'ndr', 'microsoft', [['kijitora@example.jp', 'failed', '5.0.0', undefined, 'post_accept', undefined]], /^The recipient name is not recognized/],
  ['maildir/bsd/rfc3464-39.eml', 'ndr', 'microsoft', [['kijitora@nyaan.example.net', 'failed', '5.0.0', undefined, 'post_accept', undefined]], /^$/],
  // Lotus Notes and Domino (Japanese reasons decoded from ISO-2022-JP, in the text and in Diagnostic-Code).
  ['maildir/bsd/lhost-notes-01.eml', 'dsn', 'notes', [['kijitora@u1.example.co.jp', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^エラー\(テストメッセージとしての\)$/],
  ['maildir/mac/lhost-notes-01.eml', 'dsn', 'notes', [['kijitora@u1.example.co.jp', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^エラー/],
  ['maildir/bsd/lhost-notes-03.eml', 'dsn', 'notes', [['kijitora@example.com', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^User not listed in public Name & Address Book$/],
  ['maildir/bsd/lhost-domino-01.eml', 'dsn', 'domino', [['kijitora@example.jp', 'failed', '5.0.0', undefined, 'unknown', undefined]], /not listed in Domino Directory$/],
  ['maildir/bsd/lhost-domino-02.eml', 'dsn', undefined, [['kijitora@example.co.jp', 'failed', '5.0.0', undefined, 'unknown', undefined]], /は Domino ディレクトリには見つかりません。$/],
  // KDDI / au (EZweb): English lines among Japanese ones; a ">>> / <<<" transcript when there is one.
  ['maildir/bsd/lhost-kddi-01.eml', 'dsn', 'kddi', [['kijitora@x0000000000000.dion.ne.jp', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^As their mailbox is full\.$/],
  ['maildir/bsd/lhost-ezweb-01.eml', 'dsn', 'ezweb', [['this-message-rejected-by-the-domain-filter@ezweb.ne.jp', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^Each of the following recipients was rejected by a remote mail server\.$/],
  ['maildir/bsd/lhost-ezweb-04.eml', 'dsn', 'ezweb', [['this-local-part-does-not-exist-on-the-server@ezweb.ne.jp', 'failed', '5.0.0', '550', 'rcpt', undefined]], /^550 <[^>]+>: User unknown$/],
  ['maildir/bsd/lhost-ezweb-05.eml', 'dsn', 'ezweb', [['this-local-part-does-not-exist-on-the-server@ezweb.ne.jp', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^Your message was not delivered within 0 days and 1 hours\. Remote host is not responding\./],
  ['maildir/bsd/lhost-ezweb-08.eml', 'dsn', 'ezweb', [['kijitora-neko-nyaan-22222-cats@hotmail.com', 'failed', '5.0.0', '550', 'mail', undefined]], /^550 SC-004 /],
  ['maildir/bsd/lhost-biglobe-01.eml', 'dsn', 'biglobe', [['postmaster@mxr.biglobe.ne.jp', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^The number of messages in recipient's mailbox exceeded the local limit\.$/],
  ['maildir/bsd/lhost-activehunter-01.eml', 'dsn', 'activehunter', [['kijitora@example.org', 'failed', '5.1.1', '550', 'unknown', undefined]], /^550 sorry, no mailbox here by that name \(#5\.1\.1 - chkusr\)$/],
  // fml: the list refused the post; the list address is the recipient.
  ['maildir/bsd/lhost-fml-02.eml', 'dsn', 'fml', [['neko-nyaan@example.org', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^You are not a member of this mailing list/],
  ['maildir/bsd/lhost-fml-03.eml', 'dsn', 'fml', [['neko@example.co.jp', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^Duplicated Message-ID in/],
  ['maildir/bsd/lhost-imailserver-02.eml', 'dsn', 'imailserver', [['kijitora@example.co.jp', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^User mailbox exceeds allowed size$/],
  ['maildir/bsd/lhost-imailserver-06.eml', 'dsn', 'imailserver', [['kijitora@example.jp', 'failed', '5.0.0', '550', 'unknown', undefined]], /^550 REJECTED - Blacklisted URL in message\. .* See http:\/\/lookup\.uribl\.com\. - Blacklisted Link/],
  ['maildir/bsd/lhost-mailfoundry-01.eml', 'dsn', 'mailfoundry', [['kijitora@example.org', 'failed', '5.0.0', '550', 'unknown', 'mx22.example.org']], /^550 <kijitora@example\.org> No such user here$/],
  ['maildir/bsd/lhost-mailmarshal-02.eml', 'dsn', 'mailmarshal', [['kijitora@nyaan.example.com', 'failed', '5.1.1', '550', 'unknown', '203.0.113.2']], /^550 5\.1\.1 User unknown$/],
  ['maildir/bsd/lhost-mfilter-03.eml', 'dsn', 'mfilter', [['kijitora@example.org', 'failed', '5.0.0', '550', 'data', undefined]], /^550 kijitora@example\.org\.\.\. No such user$/],
  ['maildir/bsd/lhost-mfilter-04.eml', 'dsn', 'mfilter', [['kijitora@libisismai.org', 'failed', '5.4.1', '550', 'data', undefined]], /^550 5\.4\.1 All recipient addresses rejected/],
  ['maildir/bsd/lhost-trendmicro-01.eml', 'dsn', 'trendmicro', [['kijitora@example.co.jp', 'failed', '5.1.1', '550', 'rcpt', undefined]], /user unknown$/],
  ['maildir/bsd/lhost-trendmicro-02.eml', 'dsn', 'trendmicro', [['kijitora@neko.example.jp', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^Unable to deliver message to <kijitora@neko\.example\.jp> \(and other recipients in the same domain\)\./],
  ['maildir/dos/lhost-interscanmss-01.eml', 'dsn', 'trendmicro', [['kijitora@example.co.jp', 'failed', '5.1.1', '550', 'rcpt', undefined]], /user unknown$/],
  ['maildir/bsd/lhost-verizon-01.eml', 'dsn', 'verizon', [['0000000000@vzwpix.com', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^No valid recipients for this MM$/],
  // OpenSMTPD without a delivery-status part: errors are failures, the delay notice is not.
  ['maildir/bsd/lhost-opensmtpd-02.eml', 'dsn', 'opensmtpd', [
    ['mailboxfull@example.jp', 'failed', '5.2.2', '550', 'unknown', undefined],
    ['userunknown@example.jp', 'failed', '5.1.1', '550', 'unknown', undefined],
  ], /Mailbox Full$/],
  ['maildir/bsd/lhost-opensmtpd-04.eml', 'dsn', 'opensmtpd', [['kijitora@neko.example.jp', 'delayed', '4.0.0', undefined, 'unknown', undefined]], /^Network error on destination MXs$/],
  // Amazon SES notifications as JSON: the event itself, or inside the SNS envelope.
  ['maildir/bsd/lhost-amazonses-09.eml', 'dsn', 'amazonses', [['bounce@simulator.amazonses.com', 'failed', '5.1.1', '550', 'unknown', undefined]], /^550 5\.1\.1 user unknown$/],
  ['maildir/bsd/lhost-amazonses-10.eml', 'dsn', 'amazonses', [['bounce@simulator.amazonses.com', 'failed', '5.1.1', '550', 'unknown', undefined]], /^550 5\.1\.1 user unknown$/],
  ['maildir/bsd/lhost-amazonses-12.eml', 'dsn', 'amazonses', [['success@simulator.amazonses.com', 'delivered', '2.6.0', '250', 'post_accept', undefined]], /^250 2\.6\.0 Message received$/],
  // Postfix: the lost delivery report (the returned To), smtpd's error transcript.
  ['maildir/bsd/lhost-postfix-64.eml', 'dsn', 'postfix', [['xxxx@wanadoo.fr', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^$/],
  ['maildir/bsd/lhost-postfix-75.eml', 'dsn', 'postfix', [['kijitora@libsisimai.net', 'delayed', '4.3.0', '451', 'data', undefined]], /^451 4\.3\.0 Error: queue file write error$/],
  // Exim: "save to"/"pipe to" name the address in "generated by"; malformed addresses.
  ['maildir/bsd/lhost-exim-07.eml', 'dsn', 'exim', [['shiba@example.com', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^mailbox is full: retry timeout exceeded$/],
  ['maildir/bsd/lhost-exim-52.eml', 'dsn', 'exim', [['neko@example.net', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^malformed address: <neko@example\.net> may not follow kijitora@example\.com$/],
  ['maildir/bsd/lhost-exim-53.eml', 'dsn', 'exim', [['kijitora@example.com', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^pipe to \|\/usr\/local\/neko\/bin\/cat kijitora@example\.com \/home\/neko\/\.cat: \[2016-04-29 23:34:45 \+0900\] info \[cat\] Failed to read response template/],
  ['maildir/bsd/lhost-exim-60.eml', 'dsn', 'exim', [['nyaan%gol.com@q002.kijitora.gol.com', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^mailbox is full: retry timeout exceeded$/],
  ['maildir/bsd/lhost-exim-44.eml', 'dsn', 'exim', [['kijitora@example.com', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^pipe to \|\/usr\/local\/nyaan\/bin\/neko .*: \[2016-04-22 23:34:45 \+0900\] info \[neko\] Failed to read response template/],
  // Google Groups (localised letters), and Gmail's prose when the delivery-status part is empty.
  ['maildir/bsd/lhost-googlegroups-02.eml', 'dsn', 'googlegroups', [['libsisimai@googlegroups.com', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^We're writing to let you know that the group you tried to contact \(libsisimai\) may not exist/],
  ['maildir/bsd/lhost-googlegroups-09.eml', 'dsn', 'googlegroups', [['libsisimai@googlegroups.com', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^Il se peut que le groupe/],
  ['maildir/bsd/lhost-googleworkspace-01.eml', 'dsn', 'google', [['neko-nyaan-cat-meeting@google-groups.example.com', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^Unspecified Error \(SENT_SECOND_EHLO\): Smtp server does not advertise AUTH capability$/],
  ['maildir/bsd/rfc3464-65.eml', 'dsn', 'google', [['kijitora@example.it', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^Your message wasn't delivered to kijitora@example\.it because the address couldn't be found\./],
  // Sendmail's uncoded transcript line; a comment in the Status field.
  ['maildir/bsd/lhost-sendmail-11.eml', 'dsn', 'sendmail', [['kijitora@example.co.jp', 'failed', '4.4.7', undefined, 'unknown', 'example.co.jp']], /^<kijitora@example\.co\.jp>\.\.\. Deferred: Name server: example\.co\.jp\.: host name lookup failure$/],
  ['maildir/not/rb-issue-368-bug.eml', 'dsn', undefined, [['xxxx@yyyyyy.net', 'failed', '5.0.0', undefined, 'unknown', undefined]], /^Mailbox full$/],
];

t.test('each prose layout reads its corpus messages', async t => {
  for (const [file, kind, generator, records, diagnostic] of ROWS) {
    const report = await parseFixture(file);
    t.equal(report.kind, kind, `${file}: kind`);
    t.equal(report.generator, generator, `${file}: generator`);
    t.same(report.records.map((r): Rec => [r.recipient, r.action, r.status, r.replyCode, r.stage, r.remoteMta]), records, `${file}: records`);
    t.match(report.records[0]?.diagnostic, diagnostic, `${file}: diagnostic`);
    t.equal(report.bounce, records.some(r => r[1] === 'failed'), `${file}: bounce`);
  }
});

t.test('a layout that reads the message says so in the notes', async t => {
  t.same((await parseFixture('maildir/bsd/lhost-yahoo-01.eml')).notes, ['no delivery-status part: recipients read from the yahoo text layout']);
  t.same((await parseFixture('maildir/bsd/lhost-exchange2003-04.eml')).notes, ['no delivery-status part: recipients read from the exchange2003 text layout']);
  // An empty delivery-status part is said once; the layout note does not deny the part exists.
  t.same((await parseFixture('maildir/bsd/lhost-x3-05.eml')).notes, ['delivery-status part without recipients', 'recipients read from the x3 text layout']);
  const lost = await parseFixture('maildir/bsd/lhost-postfix-64.eml');
  t.equal(lost.records[0]!.fields['x-recipient-from'], 'returned message To (delivery report unavailable)');
});

t.test('a Final-Recipient that is a pipe or a file is replaced by the "generated by" address', async t => {
  const report = await parseFixture('maildir/bsd/lhost-exim-60.eml');
  t.equal(report.records[0]!.fields['final-recipient'], 'rfc822;/mail/spool/q002.kijitora.gol.com/gol.com/22r/cat/n2.nyaan');
  t.match(report.notes, [/is a local delivery; recipient nyaan%gol\.com@q002\.kijitora\.gol\.com from "generated by"/]);
});

t.test('a status comment stands in for a missing Diagnostic-Code', async t => {
  const report = await parseFixture('maildir/bsd/rfc3464-35.eml');
  t.same(report.records.map(r => [r.recipient, r.action, r.status, r.diagnostic]), [
    ['kijitora@nyaan.example.com', 'failed', '5.0.0', "550 'kijitora@nyaan.example.com' is not a registered gateway user"],
    ['sabatora@cat.example.net', 'delayed', '4.0.0', 'cat.example.net: host name lookup failure'],
    ['mikeneko@neko.example.or.jp', 'failed', '5.0.0', '550 user unknown'],
  ]);
});

/** The corpus message with its delivery-status part removed, as a gateway that strips it delivers it. */
function withoutDeliveryStatus(file: string): Buffer {
  const raw = fixture(file).toString('latin1');
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw)?.[1];
  if (!boundary) throw new Error(`${file}: no boundary`);
  const parts = raw.split(`--${boundary}`);
  const kept = parts.filter(p => !/^\r?\n(?:[^\r\n]+\r?\n)*?Content-Type:\s*message\/delivery-status/i.test(p));
  if (kept.length !== parts.length - 1) throw new Error(`${file}: no delivery-status part to strip`);
  return Buffer.from(kept.join(`--${boundary}`), 'latin1');
}

t.test('Microsoft NDRs are read from either human-readable layout when the delivery-status part is missing', async t => {
  const cases: [string, Rec[], RegExp][] = [
    // Old layout: "Diagnostic information for administrators", "#550 5.1.1 RESOLVER...##".
    ['maildir/bsd/lhost-exchange2007-01.eml', [['mikeneko@example.co.jp', 'failed', '5.1.1', '550', 'post_accept', 'mta4.example.org']], /^550 5\.1\.1 RESOLVER\.ADR\.RecipNotFound; not found$/],
    // Old layout, newest attempt first: "<date> - Server at X returned '550 ...'".
    ['maildir/bsd/lhost-office365-06.eml', [['neko@libsisimai.org', 'failed', '5.4.312', '550', 'post_accept', 'sg2apc01ht226.eop-apc01.prod.protection.outlook.com']], /^550 5\.4\.312 Message expired, DNS query failed\(InfoNoRecords\)$/],
    // Old layout, a third party's reply relayed: the host line, then "Remote Server returned '...'".
    ['maildir/bsd/lhost-office365-03.eml', [['kijitora@example.com', 'failed', '5.1.0', '550', 'post_accept', 'neko-smtp-02-22.prod.cats.secureserver.net']], /^550 5\.1\.0 192\.0\.2\.222 is not allowed to send from <example\.net> per it's SPF Record\./],
    // New layout: "Your message to <rcpt> couldn't be delivered.", "Reported error:", "DSN generated by:".
    ['maildir/bsd/lhost-office365-13.eml', [['kijitora-nyaan@neko.kyoto.example.jp', 'failed', '5.1.10', '550', 'post_accept', 'nekonyaan0022.apcprd01.prod.exchangelabs.com']], /^550 5\.1\.10 RESOLVER\.ADR\.RecipientNotFound; Recipient not found by SMTP address lookup$/],
    ['maildir/bsd/rhost-microsoft-03.eml', [['kijitora@example.com', 'failed', '5.1.10', '550', 'post_accept', 'neko220022.namprd22.prod.outlook.com']], /^550 5\.1\.10 RESOLVER\.ADR\.RecipientNotFound/],
  ];
  for (const [file, records, diagnostic] of cases) {
    const report = await parseReport(withoutDeliveryStatus(file), OPTS);
    t.match(report, { kind: 'ndr', bounce: true, generator: 'microsoft' }, file);
    t.same(report.records.map((r): Rec => [r.recipient, r.action, r.status, r.replyCode, r.stage, r.remoteMta]), records, `${file}: records`);
    t.match(report.records[0]?.diagnostic, diagnostic, `${file}: diagnostic`);
    t.match(report.notes, [/recipients read from the microsoft text layout/], `${file}: notes`);
  }
});

t.test('a wrapped third-party reply in a Microsoft NDR is classified on the innermost reply', async t => {
  const raw = Buffer.from([
    'From: postmaster@example.onmicrosoft.com', 'To: sender@example.org', 'Subject: Undeliverable: hello',
    'Content-Type: text/plain', '',
    'Delivery has failed to these recipients or groups:', '', 'user@example.net', '',
    'Diagnostic information for administrators:', '',
    'Generating server: AM0PR01MB1234.eurprd01.prod.outlook.com', '',
    'user@example.net', 'mx.example.net #< #5.1.1 smtp;550 5.1.1 <user@example.net>... User unknown> #SMTP#', '',
    'other@example.net', "Remote Server returned '550 5.1.351 Remote server returned unknown recipient or mailbox unavailable -> 550 5.2.2 Mailbox full'", '',
    'Original message headers:', '', 'From: sender@example.org', '',
  ].join('\r\n'));
  const report = await parseReport(raw, OPTS);
  t.same(report.records.map(r => [r.recipient, r.status, r.replyCode, r.diagnostic, r.remoteMta]), [
    ['user@example.net', '5.1.1', '550', '550 5.1.1 <user@example.net>... User unknown', 'am0pr01mb1234.eurprd01.prod.outlook.com'],
    ['other@example.net', '5.2.2', '550', '550 5.2.2 Mailbox full', 'am0pr01mb1234.eurprd01.prod.outlook.com'],
  ]);
});

t.test('complaints in other shapes than RFC 5965 are kind arf', async t => {
  const cases: [string, string, string][] = [
    // Microsoft JMRP: the complained message attached, X-HmXmrOriginalRecipient in it.
    ['maildir/bsd/arf-23.eml', 'kijitora@example.com', 'abuse'],
    // Apple Mail's unsubscribe e-mail (X-Apple-Unsubscribe: true): the sender opts out.
    ['maildir/bsd/arf-26.eml', 'example@icloud.com', 'opt-out'],
    // Amazon SES complaint notification.
    ['maildir/bsd/lhost-amazonses-11.eml', 'complaint@simulator.amazonses.com', 'abuse'],
    // RFC 5965 opt-out naming the address to remove.
    ['maildir/bsd/arf-12.eml', 'user@example.com', 'opt-out'],
  ];
  for (const [file, recipient, feedbackType] of cases) {
    const report = await parseFixture(file);
    t.match(report, { kind: 'arf', bounce: true, feedbackType }, file);
    t.same(report.records.map(r => [r.recipient, r.action, r.status, r.stage, r.diagnostic]), [[recipient, 'delivered', '', 'post_accept', `feedback-type: ${feedbackType}`]], file);
  }
  // A complaint that names nobody: no record, rather than a made-up address.
  const nobody = await parseFixture('maildir/bsd/arf-11.eml');
  t.match(nobody, { kind: 'arf', bounce: false, feedbackType: 'abuse', records: [] });
});
