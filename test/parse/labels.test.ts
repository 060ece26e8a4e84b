// The corpus labels (test/fixtures/corpus/labels.jsonl, from go-sisimai / p5-sisimai tests) for
// every fixture: recipient, status and reply code must agree. Documented exceptions only where
// the label is not a fact about the message: Sisimai's private x.0.9xx codes (its own reason
// numbers, not RFC 3463), its placeholder for complaints that name nobody, and labels the
// message's own text contradicts (each says what the message says instead).
import t from 'tap';
import { CORPUS, fixture, labels, OPTS } from './fixtures/corpus.js';
import { parseReport } from '../../src/parse/index.js';
import { readMessages } from '../../src/ingest/files.js';
import type { BounceReport } from '../../src/domain/report.js';

// file (or file#message inside an mbox) → why the label is not asserted as written, and what
// the message itself says instead.
interface Exception {
  why: string;
  expect?: { bounce: boolean; status?: string; action?: string; recipient?: string };
  /** The label names a message the file does not have; this one is meant. */
  message?: number;
}
const EXCEPTIONS: Record<string, Exception> = {
  'maildir/bsd/lhost-mimecast-02.eml': {
    why: 'Sisimai 5.1.0 decoded nothing (label null), but the message is a complete DSN ("Action : failed", "Diagnostic-Code : smtp;550 5.7.54 ...")',
    expect: { bounce: true, status: '5.7.54', action: 'failed' },
  },
  'maildir/bsd/lhost-opensmtpd-12.eml': {
    why: 'label 5.0.932 is Sisimai\'s reason code; the DSN says "Action: delayed", "Status: 4.0.0" ("only a temporary failure report")',
    expect: { bounce: false, status: '4.0.0', action: 'delayed' },
  },
  'mailbox/mbox-0#20': {
    why: 'label 5.1.0 is the outer wrapper; the innermost reply is "550-\'5.1.1 <...>: Recipient address rejected: User unknown" and the innermost reply wins (DESIGN.md)',
    expect: { bounce: true, status: '5.1.1', action: 'failed' },
  },
  'mailbox/mbox-0#30': {
    why: 'label 5.1.1 is the Status: field; Diagnostic-Code says "550 #5.1.0 Address rejected", and the code in the reply wins over Status: (DESIGN.md)',
    expect: { bounce: true, status: '5.1.0', action: 'failed' },
  },
  'maildir/bsd/lhost-exim-06.eml': {
    why: 'label 4.0.947 is Sisimai\'s "expired"; the text says "This is a permanent error" and gives no code, so the class follows the failure',
    expect: { bounce: true, status: '5.0.0', action: 'failed' },
  },
  'maildir/bsd/lhost-exim-07.eml': {
    why: 'label 4.0.922 is Sisimai\'s "mailboxfull" in class 4; the text says "This is a permanent error" ("mailbox is full: retry timeout exceeded")',
    expect: { bounce: true, status: '5.0.0', action: 'failed', recipient: 'shiba@example.com' },
  },
  'maildir/bsd/arf-11.eml': {
    why: 'the label\'s recipient is Sisimai\'s placeholder; the report names nobody (no Original-Rcpt-To, original "To: <Undisclosed Recipients>")',
    expect: { bounce: false },
  },
  'maildir/bsd/arf-12.eml': {
    why: 'the label\'s recipient is Sisimai\'s placeholder; the report says "Removal-Recipient: user@example.com"',
    expect: { bounce: true, status: '', action: 'delivered', recipient: 'user@example.com' },
  },
  'maildir/bsd/lhost-domino-03.eml': {
    why: 'the label follows the prose ("kijitora@neko.example.com"); Final-Recipient, the original\'s To and its Received "for" all say kijitora@neko.example.org',
    expect: { bounce: true, status: '5.0.0', action: 'failed', recipient: 'kijitora@neko.example.org' },
  },
  'maildir/bsd/lhost-exchange2007-05.eml': {
    why: 'label 4.4.1 is an earlier attempt in the prose; the DSN says "Status: 4.4.7", "550 4.4.7 QUEUE.Expired; message expired"',
    expect: { bounce: true, status: '4.4.7', action: 'failed' },
  },
  'maildir/bsd/lhost-opensmtpd-04.eml': {
    why: 'label 5.0.944 is Sisimai\'s "networkerror"; the text says "A message is delayed" and "this is only a temporary failure report"',
    expect: { bounce: false, status: '4.0.0', action: 'delayed' },
  },
  'maildir/bsd/lhost-opensmtpd-15.eml': {
    why: 'label 5.0.947 is Sisimai\'s "expired"; the DSN says "Action: delayed", "Status: 4.4.7" and the text "only a temporary failure report"',
    expect: { bounce: false, status: '4.4.7', action: 'delayed' },
  },
  'maildir/bsd/lhost-postfix-49.eml#2': {
    why: 'the label says message 2 of a file that holds one message',
    message: 1,
    expect: { bounce: true, status: '4.0.0', action: 'failed', recipient: 'kijitora-neko-nyaan@ntt.example.ne.jp' },
  },
  'maildir/bsd/lhost-sendmail-56.eml': {
    why: 'label 421/4.7.0 is the reply to QUIT in the transcript; the DSN says "Status: 5.5.0", "554 ... ESMTP not accepting connections"',
    expect: { bounce: true, status: '5.5.0', action: 'failed' },
  },
  'maildir/bsd/lhost-x1-04.eml': {
    why: 'Sisimai 5.1.0 decoded nothing (label null), but the text lists the failed address: "kijitora-neko@neko.example.go.jp [Connection timed out]"',
    expect: { bounce: true, status: '5.0.0', action: 'failed', recipient: 'kijitora-neko@neko.example.go.jp' },
  },
};

/** Sisimai's x.0.9xx codes stand for its reason names; only the class is a fact. */
function statusAgrees(ours: string, label: string): boolean {
  if (/^\d\.0\.9\d\d$/.test(label)) return ours[0] === label[0];
  return ours === label;
}

async function reportsByMessage(file: string): Promise<Map<number, BounceReport>> {
  const out = new Map<number, BounceReport>();
  for await (const m of readMessages(CORPUS + file)) out.set(m.message, await parseReport(m.raw, OPTS));
  return out;
}

t.test('every labelled recipient is found with the labelled status and reply code', async t => {
  const rows = labels();
  t.ok(rows.length > 50, 'labels copied with the fixtures');
  for (const label of rows) {
    const name = `${label.file}#${label.message}${label.index ? '.' + label.index : ''}`;
    const exception = EXCEPTIONS[`${label.file}#${label.message}`] ?? EXCEPTIONS[label.file];
    const report = (await reportsByMessage(label.file)).get(exception?.message ?? Math.max(1, label.message));
    if (!report) {
      t.fail(`${name}: message not found`);
      continue;
    }
    if (exception) {
      t.comment(`${name}: label not asserted: ${exception.why}`);
      if (exception.expect) {
        const first = report.records[0];
        const got = { bounce: report.bounce, status: first?.status, action: first?.action, recipient: first?.recipient };
        const want = { status: undefined, action: undefined, ...exception.expect };
        if (want.recipient === undefined) delete got.recipient;
        t.same(got, want, `${name}: what the message says`);
      }
      continue;
    }
    if (label.recipient === null) {
      t.equal(report.bounce, false, `${name}: not a bounce (${report.why})`);
      continue;
    }
    if (label.reason === 'vacation') {
      t.equal(report.kind, 'autoreply', `${name}: an auto-reply, reported as such`);
      t.same(report.records.map(r => [r.recipient.toLowerCase(), r.action, r.status]), [[label.recipient.toLowerCase(), 'delivered', '']], `${name}: one record for the address that auto-replied`);
      continue;
    }
    const record = report.records.find(r => r.recipient.toLowerCase() === label.recipient!.toLowerCase());
    t.ok(record, `${name}: ${label.recipient} found`);
    if (!record) continue;
    if (label.reason === 'feedback') {
      t.equal(report.kind, 'arf', `${name}: complaint`);
      t.equal(report.feedbackType, label.feedbacktype, `${name}: feedback type`);
      t.same([record.action, record.status, record.stage], ['delivered', '', 'post_accept'], `${name}: delivered, no status code`);
      continue;
    }
    t.ok(statusAgrees(record.status, label.status ?? ''), `${name}: status ${record.status} vs label ${label.status}`);
    if (label.replycode) t.equal(record.replyCode, label.replycode, `${name}: reply code`);
  }
});

t.test('the same file read directly and through readMessages gives the same report', async t => {
  const direct = await parseReport(fixture('maildir/bsd/lhost-postfix-02.eml'), OPTS);
  const walked = (await reportsByMessage('maildir/bsd/lhost-postfix-02.eml')).get(1);
  t.same(walked, direct);
});
