// MIME decoding for the parse stage: the one place that talks to mailparser. It turns raw
// bytes into a MessageView (headers, human text, the non-text parts we read ourselves) and
// never throws: when mailparser gives up we fall back to a plain header/body split, because a
// bounce with broken MIME often still has a perfectly readable notification text.
// Well-formed messages are read by fast-mime.ts first (same view, ~10x cheaper, issue 3);
// mailparser reads whatever that reader is not sure about.
import { simpleParser } from 'mailparser';
import type { SimpleParserOptions } from 'mailparser';
import { readFastMime } from './fast-mime.js';
import { fieldValue, headerEnd, parseHeaderBlock } from './fields.js';
import type { MessageView, MimePart } from './types.js';

// keepDeliveryStatus: without it mailparser merges message/delivery-status into `text`.
// ignoreEmbedded: keep message/rfc822 as raw bytes (we read the returned headers ourselves and
// must not mix the original's text into the notification text).
// The skip* options and checksumAlgo:false avoid work we never use (mailparser 3.14 README).
const OPTIONS: SimpleParserOptions = {
  keepDeliveryStatus: true,
  ignoreEmbedded: true,
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipImageLinks: true,
  skipTextLinks: true,
  keepCidLinks: true,
  checksumAlgo: false,
};

const MAX_HTML = 1024 * 1024;
const CR = 13;

/**
 * Turn every bare CR into CRLF. mailparser splits lines on LF only, so a CR-only file (old Mac
 * mail stores; corpus maildir/mac/) would be read as one endless header line.
 */
export function normaliseLineEndings(raw: Buffer): Buffer {
  if (raw.indexOf(CR) === -1) return raw;
  // Scanned as a latin1 string, in one native pass (a search per line cost more).
  const text = raw.toString('latin1');
  return BARE_CR.test(text) ? Buffer.from(text.replace(/\r(?!\n)/g, '\r\n'), 'latin1') : raw;
}
const BARE_CR = /\r(?!\n)/;

/** Decode the message. `notes` receives anomalies (mailparser errors, fallbacks). */
export async function readMime(raw: Buffer, notes: string[]): Promise<MessageView> {
  return fastView(raw, notes) ?? mailparserView(raw, notes);
}

/**
 * The fast reader's view, or undefined when it leaves the message to mailparser. The reader
 * writes no notes; `notes` gets the same plain-text note as after mailparser. Exported for the
 * differential test.
 */
export function fastView(raw: Buffer, notes: string[] = []): MessageView | undefined {
  const fast = readFastMime(raw);
  if (!fast) return undefined;
  const { header, subject, parts } = fast;
  // The same steps as below, on the same values mailparser would give.
  let text = fast.text;
  if (!text.trim() && fast.html !== undefined) text = htmlToPlain(fast.html);
  return withBodyText({ header, subject, ...contentTypeOf(fieldValue(header, 'content-type')), text, parts }, raw, notes);
}

/** mailparser's view: every message the fast reader declines (exported for the differential test). */
export async function mailparserView(raw: Buffer, notes: string[]): Promise<MessageView> {
  try {
    const mail = await simpleParser(raw, OPTIONS);
    const header = parseHeaderBlock((mail.headerLines ?? []).map(h => h.line).join('\r\n'));
    const ctype = contentTypeOf(fieldValue(header, 'content-type'));
    const parts: MimePart[] = mail.attachments.map(a => ({
      contentType: (a.contentType || 'application/octet-stream').toLowerCase(),
      content: a.content,
    }));
    let text = mail.text ?? '';
    if (!text.trim() && typeof mail.html === 'string') text = htmlToPlain(mail.html);
    return withBodyText({ header, subject: mail.subject, ...ctype, text, parts }, raw, notes);
  } catch (err) {
    notes.push(`MIME decoding failed (${errorText(err)}); read as plain text`);
    return plainView(raw);
  }
}

/**
 * A multipart whose boundary never appears (corpus rfc3464-06) decodes to nothing; its body is
 * still a readable notification.
 */
function withBodyText(view: MessageView, raw: Buffer, notes: string[]): MessageView {
  if (view.text.trim() || view.parts.length) return view;
  const body = plainView(raw).text;
  if (body.trim()) {
    notes.push(`${view.contentType} body without readable parts; read as plain text`);
    view.text = body;
  }
  return view;
}

/** Header/body split without MIME: the fallback for messages mailparser rejects. */
export function plainView(raw: Buffer): MessageView {
  const all = raw.toString('utf8');
  const end = headerEnd(all);
  const header = parseHeaderBlock(all.slice(0, end));
  const subject = fieldValue(header, 'subject');
  return { header, subject, ...contentTypeOf(fieldValue(header, 'content-type')), text: all.slice(end), parts: [] };
}

function contentTypeOf(value: string | undefined): { contentType: string; reportType?: string } {
  const contentType = (/^\s*([^;\s]+)/.exec(value ?? '')?.[1] ?? 'text/plain').toLowerCase();
  const report = /report-type\s*=\s*"?([^";\s]+)/i.exec(value ?? '')?.[1];
  return report ? { contentType, reportType: report.toLowerCase() } : { contentType };
}

/**
 * Crude HTML → text for HTML-only notifications (some Microsoft NDRs): we only need the words
 * for prose regexes, not layout, so mailparser's html-to-text conversion is skipped (speed).
 */
export function htmlToPlain(html: string): string {
  // The notification is near the top; capping the input keeps hostile HTML cheap.
  return html
    .slice(0, MAX_HTML)
    .replace(/<(script|style)\b[^<>]*>[^<]*<\/\1\s*>/gi, ' ')
    .replace(/<br\s*\/?>|<\/(p|div|tr|li|h\d)\s*>/gi, '\n')
    .replace(/<[^<>]*>/g, ' ')
    // One pass for the entities: none of them turns into "&", so none can make another.
    .replace(/&(?:nbsp|lt|gt|quot|#39|apos|amp);/gi, e => ENTITIES[e.toLowerCase()]!)
    .replace(/[ \t]+/g, ' ');
}

const ENTITIES: Record<string, string> = { '&nbsp;': ' ', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&apos;': "'", '&amp;': '&' };

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
