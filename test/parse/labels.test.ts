// The corpus labels (test/fixtures/corpus/labels.jsonl, from go-sisimai / p5-sisimai tests) for
// every fixture: recipient, status and reply code must agree. Documented exceptions only where
// the label is not a fact about the message: Sisimai's private x.0.9xx codes (its own reason
// numbers, not RFC 3463), auto-replies (we report them as kind autoreply, without records) and
// one bounce in a layout this stage does not read yet.
import t from 'tap';
import { CORPUS, fixture, labels, OPTS } from './fixtures/corpus.js';
import { parseReport } from '../../src/parse/index.js';
import { readMessages } from '../../src/ingest/files.js';
import type { BounceReport } from '../../src/domain/report.js';

// file (or file#message inside an mbox) → why the label is not asserted as written, and what
// the message itself says instead.
interface Exception {
  why: string;
  expect?: { bounce: boolean; status?: string; action?: string };
}
const EXCEPTIONS: Record<string, Exception> = {
  'maildir/not/rb-issue-368-bug.eml': {
    why: 'unknown MTA prose layout ("reject reason: / target mail address:"); a later issue adds it',
    expect: { bounce: false },
  },
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
    const report = (await reportsByMessage(label.file)).get(Math.max(1, label.message));
    if (!report) {
      t.fail(`${name}: message not found`);
      continue;
    }
    const exception = EXCEPTIONS[`${label.file}#${label.message}`] ?? EXCEPTIONS[label.file];
    if (exception) {
      t.comment(`${name}: label not asserted: ${exception.why}`);
      if (exception.expect) {
        const first = report.records[0];
        t.same(
          { bounce: report.bounce, status: first?.status, action: first?.action },
          { status: undefined, action: undefined, ...exception.expect },
          `${name}: what the message says`,
        );
      }
      continue;
    }
    if (label.recipient === null) {
      t.equal(report.bounce, false, `${name}: not a bounce (${report.why})`);
      continue;
    }
    if (label.reason === 'vacation') {
      t.equal(report.kind, 'autoreply', `${name}: an auto-reply, reported as such`);
      continue;
    }
    const record = report.records.find(r => r.recipient.toLowerCase() === label.recipient!.toLowerCase());
    t.ok(record, `${name}: ${label.recipient} found`);
    if (!record) continue;
    if (label.reason === 'feedback') {
      t.equal(report.kind, 'arf', `${name}: complaint`);
      t.equal(report.feedbackType, label.feedbacktype, `${name}: feedback type`);
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
