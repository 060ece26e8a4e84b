// The parse stage: raw bytes in, one BounceReport out (DESIGN.md pipeline). It decides what the
// message is (DSN, Microsoft NDR, ARF complaint, auto-reply, or nothing to act on) and hands
// each recipient to records.ts. It never throws: "unparsable is data, not a crash", so every
// anomaly becomes a note and the worst case is a not_bounce report saying why.
import type { BounceReport, ParseOptions } from '../domain/report.js';
import { fieldValue, stripTypePrefix } from './fields.js';
import { detectGenerator } from './generator.js';
import { isAutoReply, looksLikeBounce, readFeedback } from './kinds.js';
import { eximLayout } from './layouts/exim.js';
import { googleLayout } from './layouts/google.js';
import { inlineDsnLayout } from './layouts/inline-dsn.js';
import { postfixLayout } from './layouts/postfix.js';
import { qmailLayout } from './layouts/qmail.js';
import { sendmailLayout } from './layouts/sendmail.js';
import { errorText, normaliseLineEndings, readMime } from './mime.js';
import { addressOf, originalHeaderFields, originalMessage } from './original.js';
import { notificationText, prepareProse } from './prose.js';
import { buildRecord, hostName } from './records.js';
import { parseDeliveryStatus } from './rfc3464.js';
import type { MessageView, ProseLayout, RawRecipient } from './types.js';

// RFC 3464 §2.1 and RFC 6533 §6.2 (internationalised) delivery-status media types.
const DS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);

// Prose layouts tried, in this order, when there is no delivery-status part. Machine-readable
// fields pasted into the text beat any prose.
const LAYOUTS: readonly ProseLayout[] = [inlineDsnLayout, postfixLayout, googleLayout, eximLayout, qmailLayout, sendmailLayout];

const DEFAULT_STREAM_HEADER = 'X-Stream';
const MAX_PROSE_RECIPIENTS = 1000;

/** Parse one received message. Pure apart from mailparser; never throws. */
export async function parseReport(raw: Buffer, opts: ParseOptions): Promise<BounceReport> {
  const notes: string[] = [];
  try {
    return await parse(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw ?? '')), opts, notes, 0);
  } catch (err) {
    notes.push(`parser error: ${errorText(err)}`);
    return { ...empty(notes), why: 'unreadable: the parser failed on this message' };
  }
}

async function parse(raw: Buffer, opts: ParseOptions, notes: string[], depth: number): Promise<BounceReport> {
  if (raw.toString('latin1', 0, Math.min(raw.length, 4096)).trim() === '' && raw.subarray(4096).every(b => b <= 32)) {
    return { ...empty(notes), why: 'empty message' };
  }
  const view = await readMime(stripPostmark(normaliseLineEndings(raw)), notes);
  const report = empty(notes);
  report.header = reportHeader(view);
  if (!view.header.length) notes.push('no header section');
  const returned = originalHeaderFields(view);

  const feedback = readFeedback(view, originalMessage(returned, '', undefined).to);
  let raws: RawRecipient[] = feedback?.recipients ?? [];
  if (!feedback) {
    for (const part of view.parts.filter(p => DS_TYPES.has(p.contentType))) {
      const ds = parseDeliveryStatus(part.content.toString('utf8'), notes);
      report.messageFields = { ...ds.messageFields, ...report.messageFields };
      for (const r of ds.recipients) raws.push(r);
    }
  }
  const prose = notificationText(view.text);
  let generator = detectGenerator(view, report.messageFields);
  if (!raws.length && !feedback) {
    if (view.parts.some(p => DS_TYPES.has(p.contentType))) notes.push('delivery-status part without recipients');
    for (const layout of LAYOUTS) {
      raws = layout.read(view, prose);
      if (!raws.length) continue;
      if (layout.generator) generator ??= layout.generator;
      notes.push(`no delivery-status part: recipients read from the ${layout.generator || 'inline delivery-status'} text layout`);
      break;
    }
  }
  if (!raws.length && !feedback && depth === 0) {
    const nested = await forwardedBounce(view, opts, notes);
    if (nested) return nested;
  }

  const microsoft = generator === 'microsoft';
  const ctx = { prose: prepareProse(prose), postAccept: microsoft, notes };
  for (const [i, r] of raws.entries()) {
    // Searching the prose for each recipient is linear in its size; past a sane number of
    // recipients the delivery-status fields alone have to do.
    if (i === MAX_PROSE_RECIPIENTS) {
      ctx.prose = prepareProse('');
      notes.push(`more than ${MAX_PROSE_RECIPIENTS} recipients: the notification text was not consulted for the rest`);
    }
    const record = buildRecord(r, ctx);
    if (record) report.records.push(record);
  }
  if (generator) report.generator = generator;
  const reportingMta = hostName(stripTypePrefix(report.messageFields['reporting-mta'] ?? '').value);
  if (reportingMta) report.reportingMta = reportingMta;
  if (microsoft && reportingMta) {
    // A Microsoft NDR is written by the side that refused: without a Remote-MTA (it did not
    // relay onwards), the rejecting host is the NDR's own Reporting-MTA.
    for (const r of report.records) r.remoteMta ??= reportingMta;
  }
  if (report.messageFields['arrival-date']) report.arrivalDate = report.messageFields['arrival-date'];
  report.original = originalMessage(returned, opts?.streamHeader || DEFAULT_STREAM_HEADER, report.messageFields['x-postfix-sender']);
  return decideKind(report, view, feedback);
}

/** Set kind, bounce and why from what was found. */
function decideKind(report: BounceReport, view: MessageView, feedback: ReturnType<typeof readFeedback>): BounceReport {
  if (feedback) {
    report.kind = 'arf';
    if (feedback.feedbackType) report.feedbackType = feedback.feedbackType;
    report.bounce = report.records.length > 0;
    if (!report.bounce) report.why = 'feedback report (ARF)';
    return report;
  }
  if (report.records.length) {
    report.kind = report.generator === 'microsoft' ? 'ndr' : 'dsn';
    report.bounce = report.records.some(r => r.action === 'failed');
    if (!report.bounce) report.why = 'delivery report without a failed recipient (delayed/delivered/relayed/expanded only)';
    return report;
  }
  if (!view.header.length) {
    report.why = 'not an e-mail message: no header section';
  } else if (looksLikeBounce(view)) {
    report.why = 'looks like a bounce (subject/sender) but no recipient could be read from it';
  } else if (isAutoReply(view)) {
    report.kind = 'autoreply';
    report.why = 'auto-reply (RFC 3834)';
  } else {
    report.why = 'no delivery-status part, no known bounce layout, not an auto-reply';
  }
  return report;
}

/**
 * A bounce forwarded as an attachment (a gateway or a user forwarding it): the report is the
 * attached message. Read once, never deeper, so hostile nesting cannot recurse.
 */
async function forwardedBounce(view: MessageView, opts: ParseOptions, notes: string[]): Promise<BounceReport | undefined> {
  const part = view.parts.find(p => p.contentType === 'message/rfc822' && /delivery-status/i.test(p.content.toString('latin1', 0, 65536)));
  if (!part) return undefined;
  const inner = await parse(part.content, opts, [], 1);
  if (!inner.records.length) return undefined;
  notes.push('the bounce was found inside an attached message (forwarded bounce)');
  for (const n of inner.notes) notes.push(n);
  return { ...inner, header: reportHeader(view), notes };
}

function reportHeader(view: MessageView): BounceReport['header'] {
  const header: BounceReport['header'] = {};
  const messageId = fieldValue(view.header, 'message-id');
  if (messageId) header.messageId = messageId;
  const from = addressOf(fieldValue(view.header, 'from'));
  if (from) header.from = from;
  if (view.subject) header.subject = view.subject;
  const date = fieldValue(view.header, 'date');
  if (date) header.date = date;
  return header;
}

/** An mbox "From " postmark line is not a header; mailparser would read it as one. */
function stripPostmark(raw: Buffer): Buffer {
  if (raw.subarray(0, 5).toString('latin1') !== 'From ') return raw;
  const nl = raw.indexOf(10);
  return nl === -1 ? Buffer.alloc(0) : raw.subarray(nl + 1);
}

function empty(notes: string[]): BounceReport {
  return { kind: 'not_bounce', bounce: false, messageFields: {}, header: {}, records: [], original: {}, notes };
}
