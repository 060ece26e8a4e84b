// The parse stage: raw bytes in, one BounceReport out (DESIGN.md pipeline). It decides what the
// message is (DSN, Microsoft NDR, ARF complaint, auto-reply, or nothing to act on) and hands
// each recipient to records.ts. It never throws: "unparsable is data, not a crash", so every
// anomaly becomes a note and the worst case is a not_bounce report saying why.
import type { BounceReport, ParseOptions } from '../domain/report.js';
import { partText } from './charset.js';
import { otherFeedback } from './feedback.js';
import { fieldValue, stripTypePrefix } from './fields.js';
import { detectGenerator } from './generator.js';
import { decideKind, readFeedback } from './kinds.js';
import { layoutPrefilter } from './layout-prefilter.js';
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
import { errorText, fastView, mailparserView, normaliseLineEndings } from './mime.js';
import { addressOf, originalFieldNames, originalHeaderFields, originalMessage } from './original.js';
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
const PREFILTER = layoutPrefilter(LAYOUTS);

const DEFAULT_STREAM_HEADER = 'X-Stream';
const MAX_PROSE_RECIPIENTS = 1000;

/**
 * Parse one received message. Pure apart from mailparser; never throws. Most messages need no
 * mailparser (fast-mime.ts) and are parsed synchronously, with no promise but the one returned.
 */
export function parseReport(raw: Buffer, opts: ParseOptions): Promise<BounceReport> {
  const notes: string[] = [];
  try {
    const run = parse(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw ?? '')), opts, notes, 0);
    const step = run.next();
    return step.done ? Promise.resolve(step.value) : withMailparser(run, step.value, notes);
  } catch (err) {
    return Promise.resolve(failed(notes, err));
  }
}

/** What parse() yields when the fast reader declines a message: mailparser has to read it. */
interface MimeRequest {
  raw: Buffer;
  notes: string[];
}

type Parse = Generator<MimeRequest, BounceReport, MessageView>;

/** Runs parse() on, feeding it mailparser's view each time it asks for one. */
async function withMailparser(run: Parse, request: MimeRequest, notes: string[]): Promise<BounceReport> {
  try {
    for (;;) {
      const step = run.next(await mailparserView(request.raw, request.notes));
      if (step.done) return step.value;
      request = step.value;
    }
  } catch (err) {
    return failed(notes, err);
  }
}

function failed(notes: string[], err: unknown): BounceReport {
  notes.push(`parser error: ${errorText(err)}`);
  return { ...empty(notes), why: 'unreadable: the parser failed on this message' };
}

/** The parse itself, synchronous between the MIME views it yields for (see withMailparser). */
function* parse(raw: Buffer, opts: ParseOptions, notes: string[], depth: number): Parse {
  if (isBlank(raw)) return { ...empty(notes), why: 'empty message' };
  const mime = stripPostmark(normaliseLineEndings(raw));
  const view = fastView(mime, notes) ?? (yield { raw: mime, notes });
  const report = empty(notes);
  report.header = reportHeader(view);
  if (!view.header.length) notes.push('no header section');
  const streamHeader = opts?.streamHeader || DEFAULT_STREAM_HEADER;
  const returned = originalHeaderFields(view, originalFieldNames(streamHeader));

  const feedback = readFeedback(view, () => originalMessage(returned, '', undefined).to) ?? otherFeedback(view);
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
  let lower: string | undefined;
  if (!raws.length && !feedback) {
    const emptyDs = view.parts.some(p => DS_TYPES.has(p.contentType));
    if (emptyDs) notes.push('delivery-status part without recipients');
    lower = prose.toLowerCase();
    for (const layout of PREFILTER.candidates(view, lower)) {
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
    const nested = yield* forwardedBounce(view, opts, notes);
    if (nested) return nested;
  }

  const microsoft = generator === 'microsoft';
  const ctx = { prose: prepareProse(prose, lower), postAccept: microsoft, notes };
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
  report.original = originalMessage(returned, streamHeader, report.messageFields['x-postfix-sender']);
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

/**
 * A bounce forwarded as an attachment (a gateway or a user forwarding it): the report is the
 * attached message. Read once, never deeper, so hostile nesting cannot recurse.
 */
function* forwardedBounce(view: MessageView, opts: ParseOptions, notes: string[]): Generator<MimeRequest, BounceReport | undefined, MessageView> {
  const part = view.parts.find(p => p.contentType === 'message/rfc822' && /delivery-status/i.test(p.content.toString('latin1', 0, 65536)));
  if (!part) return undefined;
  const inner = yield* parse(part.content, opts, [], 1);
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

/**
 * Nothing but whitespace: the first 4 KiB what trim() removes read as latin1 (TAB to CR, space,
 * no-break space), the rest no byte above space.
 */
function isBlank(raw: Buffer): boolean {
  const head = Math.min(raw.length, 4096);
  for (let i = 0; i < head; i++) {
    const b = raw[i]!;
    if (b !== 0x20 && b !== 0xa0 && (b < 0x09 || b > 0x0d)) return false;
  }
  return raw.subarray(4096).every(b => b <= 32);
}

/** An mbox "From " postmark line is not a header; mailparser would read it as one. */
function stripPostmark(raw: Buffer): Buffer {
  // "From " compared byte by byte, without a string per message.
  if (raw[0] !== 0x46 || raw[1] !== 0x72 || raw[2] !== 0x6f || raw[3] !== 0x6d || raw[4] !== 0x20) return raw;
  const nl = raw.indexOf(10);
  return nl === -1 ? Buffer.alloc(0) : raw.subarray(nl + 1);
}

function empty(notes: string[]): BounceReport {
  return { kind: 'not_bounce', bounce: false, messageFields: {}, header: {}, records: [], original: {}, notes };
}
