// The parse stage: raw bytes in, one BounceReport out (DESIGN.md pipeline). It decides what the
// message is (DSN, Microsoft NDR, ARF complaint, auto-reply, or nothing to act on) and hands
// each recipient to records.ts. It never throws: "unparsable is data, not a crash", so every
// anomaly becomes a note and the worst case is a not_bounce report saying why.
import type { BounceReport, ParseOptions, RecipientRecord } from '../domain/report.js';
import { normaliseAddress } from './address.js';
import { partText } from './charset.js';
import { otherFeedback } from './feedback.js';
import { fieldValue, stripTypePrefix } from './fields.js';
import { detectGenerator } from './generator.js';
import { isAutoReply, looksLikeBounce, readFeedback } from './kinds.js';
import { activehunterLayout } from './layouts/activehunter.js';
import { amazonsesJsonLayout } from './layouts/amazonses-json.js';
import { biglobeLayout } from './layouts/biglobe.js';
import { dominoLayout } from './layouts/domino.js';
import { dragonflyLayout } from './layouts/dragonfly.js';
import { exchange2003Layout } from './layouts/exchange2003.js';
import { eximLayout, eximLocalDelivery, failedRecipientsLayout } from './layouts/exim.js';
import { ezwebLayout } from './layouts/ezweb.js';
import { fmlLayout } from './layouts/fml.js';
import { gmxLayout } from './layouts/gmx.js';
import { googleLayout } from './layouts/google.js';
import { googlegroupsLayout } from './layouts/googlegroups.js';
import { imailserverLayout } from './layouts/imailserver.js';
import { inlineDsnLayout } from './layouts/inline-dsn.js';
import { kddiLayout } from './layouts/kddi.js';
import { mailfoundryLayout } from './layouts/mailfoundry.js';
import { mailmarshalLayout } from './layouts/mailmarshal.js';
import { mfilterLayout } from './layouts/mfilter.js';
import { microsoftLayout } from './layouts/microsoft.js';
import { notesLayout } from './layouts/notes.js';
import { opensmtpdLayout } from './layouts/opensmtpd.js';
import { postfixLayout } from './layouts/postfix.js';
import { qmailLayout } from './layouts/qmail.js';
import { rejectNoticeLayout } from './layouts/reject-notice.js';
import { sendmailLayout } from './layouts/sendmail.js';
import { trendmicroLayout } from './layouts/trendmicro.js';
import { verizonLayout } from './layouts/verizon.js';
import { x1Layout } from './layouts/x1.js';
import { x2Layout } from './layouts/x2.js';
import { x3Layout } from './layouts/x3.js';
import { x4Layout } from './layouts/x4.js';
import { x6Layout } from './layouts/x6.js';
import { yahooLayout } from './layouts/yahoo.js';
import { zohoLayout } from './layouts/zoho.js';
import { errorText, normaliseLineEndings, readMime } from './mime.js';
import { addressOf, originalHeaderFields, originalMessage } from './original.js';
import { notificationText, prepareProse } from './prose.js';
import { buildRecord, hostName } from './records.js';
import { parseDeliveryStatus } from './rfc3464.js';
import type { MessageView, ProseLayout, RawRecipient } from './types.js';

// RFC 3464 §2.1 and RFC 6533 §6.2 (internationalised) delivery-status media types.
const DS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);

// Prose layouts tried, in this order, when no delivery-status part names a recipient; the first
// that finds any wins. Machine-readable fields (pasted delivery-status fields, SES JSON) beat
// prose; layouts keyed on a header or a fixed sentence come before the ones that share a
// generic wording (GMX, Zoho and Google Groups write Exim's intro; Active!hunter and X3 write
// Sendmail's and Gmail's headings).
const LAYOUTS: readonly ProseLayout[] = [
  inlineDsnLayout, amazonsesJsonLayout, microsoftLayout, exchange2003Layout, postfixLayout, dragonflyLayout,
  yahooLayout, x2Layout, x3Layout, x4Layout, x6Layout, x1Layout, zohoLayout, gmxLayout, googlegroupsLayout,
  googleLayout, eximLayout, qmailLayout, activehunterLayout, sendmailLayout, notesLayout, dominoLayout,
  kddiLayout, ezwebLayout, biglobeLayout, fmlLayout, imailserverLayout, mailfoundryLayout, mailmarshalLayout,
  mfilterLayout, trendmicroLayout, verizonLayout, opensmtpdLayout, rejectNoticeLayout, failedRecipientsLayout,
];

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

  const feedback = readFeedback(view, originalMessage(returned, '', undefined).to) ?? otherFeedback(view);
  let raws: RawRecipient[] = feedback?.recipients ?? [];
  const prose = notificationText(mislabelledText(view) + view.text);
  if (!feedback) {
    for (const part of view.parts.filter(p => DS_TYPES.has(p.contentType))) {
      const ds = parseDeliveryStatus(partText(part.content), notes);
      report.messageFields = { ...ds.messageFields, ...report.messageFields };
      // Looking each one up in the prose is linear in its size: the first recipients only.
      for (const r of ds.recipients) raws.push(raws.length < MAX_PROSE_RECIPIENTS ? localDelivery(r, prose, notes) : r);
    }
  }
  let generator = feedback?.generator ?? detectGenerator(view, report.messageFields);
  if (!raws.length && !feedback) {
    const emptyDs = view.parts.some(p => DS_TYPES.has(p.contentType));
    if (emptyDs) notes.push('delivery-status part without recipients');
    for (const layout of LAYOUTS) {
      raws = layout.read(view, prose);
      if (!raws.length) continue;
      // The layout that read the message is better evidence of its author than a marker guess
      // (GMX, Zoho and Google Groups borrow Exim's intro sentence).
      if (layout.generator) generator = layout.generator;
      const source = `recipients read from the ${layout.name ?? (layout.generator || 'inline delivery-status')} text layout`;
      notes.push(emptyDs ? source : `no delivery-status part: ${source}`);
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

/**
 * A text part whose Content-Type lost its ";" ("text/plain\n charset=iso-2022-jp", corpus
 * lhost-x1-02) is not text to the MIME reader, yet it is the notification: put it first.
 */
function mislabelledText(view: MessageView): string {
  let out = '';
  for (const p of view.parts) {
    if (/^text\/plain\s+\S/.test(p.contentType)) out += partText(p.content) + '\n';
  }
  return out;
}

/**
 * Exim writes a pipe command or a file as Final-Recipient ("|/usr/bin/prog", "/var/mail/x");
 * the notification names the address that expanded to it ("generated by x@y") and the
 * program's words. Any other recipient passes unchanged.
 */
function localDelivery(r: RawRecipient, prose: string, notes: string[]): RawRecipient {
  if (!/^[|/]/.test(r.recipient) && r.recipient.includes('@')) return r;
  const found = eximLocalDelivery(prose, r.recipient);
  if (!found.recipient) return r;
  notes.push(`Final-Recipient "${r.recipient.slice(0, 80)}" is a local delivery; recipient ${found.recipient} from "generated by"`);
  const out: RawRecipient = { ...r, recipient: found.recipient };
  if (!out.diagnosticCode && found.reason) out.diagnosticCode = found.reason;
  return out;
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
    const record = autoReplyRecord(view);
    if (record) report.records.push(record);
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

/**
 * The address an auto-reply speaks for (its From, RFC 3834 §3.1.1 "the recipient of the
 * subject message"), as one `delivered` record: the message reached a mailbox, whose owner is
 * away. No status code applies; the subject (else the first line) is what it said.
 */
function autoReplyRecord(view: MessageView): RecipientRecord | undefined {
  const recipient = normaliseAddress(fieldValue(view.header, 'from'));
  if (!recipient.includes('@')) return undefined;
  const said = view.subject?.trim() || view.text.split(/\r?\n/).find(l => l.trim())?.trim() || '';
  return { recipient, action: 'delivered', status: '', diagnostic: said.replace(/\s+/g, ' ').slice(0, 1000), stage: 'post_accept', fields: {} };
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
