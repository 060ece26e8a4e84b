// Facts about the message that bounced, read from the returned copy. They map a bounce back to
// a stream and a campaign (Message-ID, List-Id, Feedback-ID, the configured stream header), which
// the recipient address alone cannot do (reference/postfix.md §6 item 6).
import { looksLikeAddress, normaliseAddress } from './address.js';
import { decodeEncodedWords } from './encoded-words.js';
import { fieldValue, headerSection, parseHeaderBlock } from './fields.js';
import type { OriginalMessage } from '../domain/report.js';
import type { Field, MessageView } from './types.js';

// RFC 3462 text/rfc822-headers, RFC 6532/6533 message/global(-headers), RFC 2046 message/rfc822.
const ORIGINAL_TYPES = ['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers'];

// Markers before an inline copy of the original in prose bounces (Exim, qmail, Exchange, Sendmail
// v5...): the first header block after one of them is the original's.
const INLINE_MARKERS =
  /copy of the message|copy of your message|original message (headers|follows)|message headers follow|original message headers|undelivered message|returned message|^-+ ?original message ?-+/im;

/**
 * Read the returned message's header fields, from its own part or from inline text; with
 * `keep` (originalFieldNames), only the fields originalMessage() reads.
 */
export function originalHeaderFields(view: MessageView, keep?: ReadonlySet<string>): Field[] {
  for (const type of ORIGINAL_TYPES) {
    const part = view.parts.find(p => p.contentType === type);
    if (part) return parseHeaderBlock(headerSection(part.content).toString('utf8'), keep);
  }
  const marker = INLINE_MARKERS.exec(view.text);
  if (!marker) return [];
  // Skip the marker line, then any blank/decoration lines, up to the first "Name: value" line.
  const after = view.text.slice(marker.index + marker[0].length).replace(/^[^\n]*\n/, '');
  const start = /^[!-9;-~]+:[ \t]/m.exec(after);
  if (!start || start.index > 400) return [];
  // Quoted copies ("> From: ...") are unquoted first.
  return parseHeaderBlock(after.slice(start.index).replace(/^> ?/gm, ''), keep);
}

// What originalMessage() reads of the returned header, besides the configured stream header.
const ORIGINAL_NAMES = ['message-id', 'from', 'to', 'subject', 'date', 'list-id', 'feedback-id', 'return-path'];
const namesByStream = new Map<string, ReadonlySet<string>>();

/** The returned header fields originalMessage() reads, for this stream header name. */
export function originalFieldNames(streamHeader: string): ReadonlySet<string> {
  let names = namesByStream.get(streamHeader);
  if (!names) {
    names = new Set([...ORIGINAL_NAMES, streamHeader.toLowerCase()]);
    if (namesByStream.size < 16) namesByStream.set(streamHeader, names);
  }
  return names;
}

/** Build OriginalMessage from the returned header fields. */
export function originalMessage(
  fields: readonly Field[],
  streamHeader: string,
  postfixSender: string | undefined,
): OriginalMessage {
  const out: OriginalMessage = {};
  const get = (name: string): string | undefined => {
    const v = fieldValue(fields, name);
    return v === undefined || v === '' ? undefined : v;
  };
  const messageId = get('message-id');
  if (messageId) out.messageId = messageId.replace(/\s+/g, '');
  const from = addressOf(get('from'));
  if (from) out.from = from;
  const to = addressesOf(get('to'));
  if (to) out.to = to;
  const subject = get('subject');
  if (subject) out.subject = decodeEncodedWords(subject);
  const date = get('date');
  if (date) out.date = date;
  const listId = get('list-id');
  if (listId) out.listId = listId;
  const feedbackId = get('feedback-id');
  if (feedbackId) out.feedbackId = feedbackId;
  const stream = streamHeader ? get(streamHeader) : undefined;
  if (stream) out.stream = stream;
  // X-Postfix-Sender names the envelope sender outright; Return-Path is its copy in the
  // returned headers (RFC 5321 §4.4). "<>" means a null sender: nothing to record.
  const envelope = normaliseAddress(postfixSender) || normaliseAddress(get('return-path'));
  if (envelope && envelope.includes('@')) out.envelopeFrom = envelope;
  return out;
}

/** The address of a From-like value, or the value itself when it holds no address. */
export function addressOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const addr = normaliseAddress(value);
  return looksLikeAddress(addr) ? addr : decodeEncodedWords(value);
}

/** Comma-joined addresses of a To-like value (display names dropped). */
function addressesOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const found = value.match(/[^\s<>(),;:"']+@[^\s<>(),;:"']+/g);
  if (!found) return decodeEncodedWords(value);
  // "a@b <a@b>" names one mailbox twice.
  return [...new Set(found.map(a => normaliseAddress(a)))].join(', ');
}
