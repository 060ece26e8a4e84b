// The fast MIME reader: one synchronous pass over well-formed messages that gives the same
// header fields, Subject, text and leaf parts as mailparser (issue 3: mailparser was ~85% of the
// parse time, yielding to the event loop per chunk and decoding what we never read). It follows
// mailparser 3.14 / mailsplit 5.4 rule for rule on the forms it accepts and returns undefined on
// anything else (unclosed or ambiguous multiparts, unknown encodings and charsets, odd header
// syntax, absurd sizes), so that readMime falls back to mailparser. docs/parsing.md lists both.
import { canonicalCharset, decodeCharset } from './fast-charset.js';
import { decodeBase64Body, decodeFlowed, decodeQuotedPrintable } from './fast-decode.js';
import { decodedSubject, firstValue, headerLines, parseStructured } from './fast-headers.js';
import type { HeaderLine } from './fast-headers.js';
import { parseHeaderLines } from './fields.js';
import type { Field, MimePart } from './types.js';

/** What the fast reader gives; mime.ts adds the content type and reduces `html` to text. */
export interface FastView {
  header: Field[];
  subject: string | undefined;
  /** mailparser's `text`: the text/plain parts joined. */
  text: string;
  /** mailparser's `html` (with skipTextToHtml), when there is an HTML part. */
  html?: string;
  parts: MimePart[];
}

// Past these, mailparser (with its own limits: 1000 nodes, 1 MiB header block) decides.
const MAX_BYTES = 8 * 1024 * 1024;
const MAX_NODES = 100;
const MAX_DEPTH = 8;
const MAX_HEADER_BYTES = 256 * 1024;
// mailsplit flushes an unterminated last line past 64 KiB as content; stay well below it.
const MAX_LAST_LINE = 16 * 1024;
const LF = 10;
const CR = 13;
const DASH = 45;
const TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;
const TRANSFER = new Set(['', '7bit', '8bit', 'binary', 'base64', 'quoted-printable']);

/** An inline text/plain or text/html leaf with content, in message order. */
interface Entry {
  html: boolean;
  content: string;
  root: boolean;
  alternative: boolean;
}

interface Walk {
  raw: Buffer;
  /** `raw` read as latin1: one character per byte, so offsets are shared; scanned as a string
   * because String#indexOf is far cheaper per line than Buffer#indexOf. */
  src: string;
  entries: Entry[];
  parts: MimePart[];
  hasText: boolean;
  hasHtml: boolean;
  nodes: number;
  rootLines?: HeaderLine[];
}

// Not an Error: a bail-out is control flow, and a stack trace per bail-out costs for nothing.
class Bail {
  constructor(readonly message: string) {}
}
function bail(reason: string): never {
  throw new Bail(reason);
}

/**
 * Read a message, or undefined when mailparser has to (`why.reason` then says why, for the
 * tests and for measuring coverage). Never throws.
 */
export function readFastMime(raw: Buffer, why: { reason?: string } = {}): FastView | undefined {
  try {
    return read(raw);
  } catch (err) {
    // Anything but a deliberate bail-out is a bug here: it must cost speed, never a message.
    why.reason = err instanceof Bail ? err.message : `error: ${String(err)}`;
    return undefined;
  }
}

function read(raw: Buffer): FastView {
  if (raw.length > MAX_BYTES) bail('message too large');
  const src = raw.toString('latin1');
  if (src.length - src.lastIndexOf('\n') - 1 > MAX_LAST_LINE) bail('overlong last line');
  // mailsplit reads a bare CR before a delimiter as part of it; parse.ts never passes one.
  if (src.includes('\r') && /\r(?!\n)/.test(src)) bail('bare CR');
  const walk: Walk = { raw, src, entries: [], parts: [], hasText: false, hasHtml: false, nodes: 0 };
  readNode(walk, 0, raw.length, 'eof', 0, false, []);
  // mailparser's getTextContent() with skipHtmlToText and skipTextToHtml: an HTML part beside
  // text leaves an empty string in `text`, a text part beside HTML one in `html`.
  const texts: string[] = [];
  const htmls: string[] = [];
  for (const e of walk.entries) {
    if (!e.html) {
      texts.push(e.content);
      if (!e.alternative && walk.hasHtml) htmls.push('');
    } else {
      if ((!e.alternative && walk.hasText) || (e.root && !walk.hasText)) texts.push('');
      htmls.push(e.content);
    }
  }
  const lines = walk.rootLines ?? [];
  const subject = decodedSubject(lines);
  if (subject === false) bail('Subject encoded word');
  // The lines end before the blank line and hold no bare CR: no blank line to look for.
  const header = parseHeaderLines(lines.map(l => l.line).join('\r\n'));
  const view: FastView = { header, subject, text: texts.join('\n'), parts: walk.parts };
  if (htmls.length) view.html = htmls.join('<br/>\n');
  return view;
}

/** What ends a part: the end of input, a delimiter for the next part, or the closing one. */
type Ending = 'eof' | 'next' | 'close';

/** One MIME node in raw[start, end): its header, then its children or its decoded body. */
function readNode(walk: Walk, start: number, end: number, ending: Ending, depth: number, alternative: boolean, boundaries: string[]): void {
  const { raw, src } = walk;
  const root = depth === 0;
  if (++walk.nodes > MAX_NODES || depth > MAX_DEPTH) bail('too many or too deeply nested parts');
  // Header block: up to and including the first empty line.
  let pos = start;
  let bodyStart = -1;
  while (pos < end) {
    const nl = src.indexOf('\n', pos);
    const next = nl === -1 || nl >= end ? end : nl + 1;
    const len = next - pos;
    if ((len === 1 && src.charCodeAt(pos) === LF) || (len === 2 && src.charCodeAt(pos) === CR && src.charCodeAt(pos + 1) === LF)) {
      bodyStart = next;
      break;
    }
    pos = next;
  }
  if (bodyStart === -1) {
    // At the end of the input mailsplit takes the rest as the header of a part without a body;
    // a part whose header a delimiter cuts short is dropped.
    if (ending !== 'eof') bail('header block cut by a delimiter');
    bodyStart = end;
  }
  if (bodyStart - start > MAX_HEADER_BYTES) bail('header block too large');
  const lines = headerLines(src.slice(start, bodyStart)) ?? bail('mbox or HTTP preamble line');
  if (root) walk.rootLines = lines;

  const ctHeader = lines.some(l => l.key === 'content-type');
  const ct = parseStructured((ctHeader ? firstValue(lines, 'content-type') : 'text/plain') ?? bail('Content-Type not ASCII')) ?? bail('Content-Type syntax');
  const disp = parseStructured(firstValue(lines, 'content-disposition') ?? bail('Content-Disposition not ASCII')) ?? bail('Content-Disposition syntax');
  // Without a Content-Type mailsplit guesses from the file name (or says octet-stream).
  if (!ctHeader && (disp.params.get('filename') || /^attachment$/i.test(disp.value))) bail('attachment without Content-Type');
  const type = ct.value.toLowerCase();
  if (!TYPE.test(type)) bail('content type syntax');
  const encoding = (firstValue(lines, 'content-transfer-encoding') ?? bail('transfer encoding not ASCII')).toLowerCase().trim();
  if (!TRANSFER.has(encoding)) bail(`transfer encoding ${encoding}`);
  const boundaryParam = (ct.params.get('boundary') ?? '').trimEnd();

  if (type.startsWith('multipart/')) {
    const boundary = boundaryParam;
    // Without a boundary mailsplit finds no parts and skips the body (a "boundary=" line that
    // lost its indentation, corpus lhost-office365-09); mime.ts reads a body left empty as text.
    if (!boundary) return;
    if (/[^\x20-\x7e]/.test(boundary)) bail('multipart with an unusable boundary');
    // A line must never be able to match two open boundaries (mailsplit prefers the nearest).
    if (boundaries.some(b => b.startsWith(boundary) || boundary.startsWith(b))) bail('nested boundaries overlap');
    readChildren(walk, bodyStart, end, ending, depth, alternative || type === 'multipart/alternative', [...boundaries, boundary], boundary);
    return;
  }
  // mailsplit splits any node with a boundary parameter, multipart or not.
  if (boundaryParam) bail('boundary on a non-multipart');

  // The line ending before a delimiter line belongs to the delimiter (RFC 2046 §5.1.1), so
  // mailsplit trims it. Its quirks, followed here: a body running to the end of the input keeps
  // it; a body that is nothing but that line ending keeps it before a next-part delimiter (the
  // slice is only re-cut when something is left) and is dropped before the closing one.
  let bodyEnd = end;
  if (ending !== 'eof' && bodyEnd > bodyStart && src.charCodeAt(bodyEnd - 1) === LF) {
    bodyEnd--;
    if (bodyEnd > bodyStart && src.charCodeAt(bodyEnd - 1) === CR) bodyEnd--;
    if (bodyEnd === bodyStart && ending === 'next') bodyEnd = end;
  }
  const body = raw.subarray(bodyStart, bodyEnd);
  let content =
    encoding === 'base64'
      ? (decodeBase64Body(body) ?? bail('base64 padding inside the body'))
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : body;

  let disposition = disp.value.toLowerCase();
  if (disposition.includes('=?')) bail('encoded disposition');
  if (disposition && disposition !== 'attachment' && disposition !== 'inline') disposition = 'attachment';
  const textType = type === 'text/plain' || type === 'text/html';
  if (!textType || (disposition || 'inline') !== 'inline') {
    // mailparser renames a named octet-stream after its file extension.
    if (type === 'application/octet-stream' && (disp.params.get('filename') || ct.params.get('name'))) bail('named octet-stream');
    walk.parts.push({ contentType: type, content });
    return;
  }
  if (type === 'text/plain') {
    walk.hasText = true;
    if (content.length && ct.params.get('format')?.toLowerCase().trim() === 'flowed') {
      const delSp = ct.params.get('delsp')?.toLowerCase().trim() === 'yes';
      content = Buffer.from(decodeFlowed(content.toString('latin1'), delSp), 'latin1');
    }
  } else {
    walk.hasHtml = true;
  }
  let textContent = decodeText(content, ct.params.get('charset')) ?? bail(`charset ${ct.params.get('charset')}`);
  if (textContent.includes('\r')) textContent = textContent.replace(/\r?\n/g, '\n');
  if (textContent) walk.entries.push({ html: type === 'text/html', content: textContent, root, alternative });
}

/** mailparser's text charset rule: ASCII and UTF-8 by name, the rest through libmime. */
function decodeText(content: Buffer, charset: string | undefined): string | undefined {
  const name = charset || 'utf-8';
  if (['ascii', 'usascii', 'utf8'].includes(name.toLowerCase().replace(/[^a-z0-9]+/g, ''))) return content.toString('utf8');
  const canonical = canonicalCharset(name);
  return canonical ? decodeCharset(content, canonical, true) : undefined;
}

/**
 * The parts of a multipart body in raw[start, end), which ends as `ending` says: between
 * delimiter lines of `boundary`. A closing delimiter first (in the preamble) or no part at all
 * bail out, except that a top-level boundary that never appears (a gateway rewrote it; corpus
 * rfc3464-06) gives no part at all. A missing closing delimiter is read as mailsplit reads it:
 * a returned message cut short ("message truncated", common in bounces) runs to the end of the
 * input, and an inner multipart left open (corpus lhost-domino-03) ends at its parent's next
 * delimiter.
 */
function readChildren(
  walk: Walk, start: number, end: number, ending: Ending, depth: number, alternative: boolean, boundaries: string[], boundary: string,
): void {
  const { src } = walk;
  const needle = `--${boundary}`;
  let partStart = -1;
  // Only lines starting with `--boundary` can be delimiters: search for those, not line by line.
  for (let pos = src.indexOf(needle, start); pos !== -1 && pos < end; pos = src.indexOf(needle, pos + 1)) {
    if (pos !== start && src.charCodeAt(pos - 1) !== LF) continue;
    const nl = src.indexOf('\n', pos);
    const next = nl === -1 || nl >= end ? end : nl + 1;
    const kind = delimiter(src, pos, next, boundary);
    if (!kind) continue;
    if (partStart !== -1) readNode(walk, partStart, pos, kind === 2 ? 'close' : 'next', depth + 1, alternative, boundaries);
    else if (kind === 2) bail('closing delimiter before any part');
    if (kind === 2) return;
    partStart = next;
  }
  // A top-level multipart whose boundary never appears is all preamble to mailsplit: no parts
  // (mime.ts then reads the body as plain text, as it does after mailparser).
  if (partStart === -1 && depth === 0 && end === src.length) return;
  if (partStart === -1) bail('no closing delimiter');
  // No closing delimiter: the last part runs to where this multipart ends, and ends the same
  // way (mailsplit closes every open multipart at an ancestor's delimiter).
  readNode(walk, partStart, end, ending, depth + 1, alternative, boundaries);
}

/**
 * mailsplit compareBoundary for a line that starts with `--boundary`: that, or `--boundary--`,
 * then blanks, CRs and the line end (1: next part, 2: closing). Only the closing delimiter may
 * end the input without a line end.
 */
function delimiter(src: string, start: number, end: number, boundary: string): 0 | 1 | 2 {
  const length = end - start;
  if (length < boundary.length + 3 || length > boundary.length + 2 + 2 + 998 + 2) return 0;
  // `--boundary` itself: readChildren only asks where it found it.
  let i = start + 2 + boundary.length;
  let kind: 1 | 2 = 1;
  if (src.charCodeAt(i) === DASH) {
    if (src.charCodeAt(i + 1) !== DASH) return 0;
    kind = 2;
    i += 2;
  }
  let c = src.charCodeAt(i);
  while (i < end && (c === 0x20 || c === 0x09)) c = src.charCodeAt(++i);
  if (i === end) return kind === 2 ? 2 : 0;
  while (i < end && src.charCodeAt(i) === CR) i++;
  if (i < end && src.charCodeAt(i) === LF) i++;
  return i === end ? kind : 0;
}
