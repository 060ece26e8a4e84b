// Header reading for the fast MIME reader (fast-mime.ts): the header lines of one MIME node as
// mailsplit 5.4 splits them, the structural fields (Content-Type, -Transfer-Encoding,
// -Disposition) as libmime parses them, and the Subject as mailparser decodes it (RFC 2047).
// Only the plain forms are accepted; comments, RFC 2231 parameters, quoting tricks and unknown
// charsets return undefined so that the message goes to mailparser.
import { canonicalCharset, decodeCharset } from './fast-charset.js';
import { decodeBase64, hexValue } from './fast-decode.js';

/** One header field: lower-cased name and the raw (latin1, still folded) line. */
export interface HeaderLine {
  key: string;
  line: string;
}

/** A parsed structured field: the value and its parameters (names lower-cased). */
export interface Structured {
  value: string;
  params: Map<string, string>;
}

const isFolding = (line: string) => line[0] === ' ' || line[0] === '\t';
// mailsplit's key: what precedes the first colon, lower-cased; '' when there is no colon.
const keyOf = (s: string, colon: number) => (colon < 0 ? '' : s.slice(0, colon).toLowerCase().trim());

/**
 * mailsplit Headers._parseHeaders over a header block read as latin1 (without the blank line):
 * folded lines are joined with CRLF, the key is what precedes the first colon.
 */
export function headerLines(block: string): HeaderLine[] | undefined {
  let end = block.length;
  while (end > 0 && (block.charCodeAt(end - 1) === 0x0a || block.charCodeAt(end - 1) === 0x0d)) end--;
  if (end === 0) return [];
  const raw = block.slice(0, end).split('\n');
  // split(/\r?\n/), without the regex: a CR before a split LF goes with it (bare CRs never
  // get here, and the last line ends in none: `end` dropped the line ending).
  if (block.includes('\r')) {
    for (let k = 0; k < raw.length - 1; k++) if (raw[k]!.endsWith('\r')) raw[k] = raw[k]!.slice(0, -1);
  }
  let i = 1;
  let first = raw[0]!;
  while (i < raw.length && isFolding(raw[i]!)) first += '\r\n' + raw[i++];
  // mailsplit keeps an mbox or HTTP preamble out of the header lines.
  if (/^(From|POST) /i.test(first)) return undefined;
  const lines: HeaderLine[] = [{ key: keyOf(first, first.indexOf(':')), line: first }];
  let keyPending = false;
  for (; i < raw.length; i++) {
    const current = raw[i]!;
    if (isFolding(current)) {
      const entry = lines[lines.length - 1]!;
      if (keyPending) {
        const colon = current.indexOf(':');
        if (colon >= 0) {
          entry.key = keyOf(`${entry.line}\r\n${current}`, entry.line.length + 2 + colon);
          keyPending = false;
        }
      }
      entry.line += '\r\n' + current;
    } else {
      const colon = current.indexOf(':');
      lines.push({ key: keyOf(current, colon), line: current });
      keyPending = colon < 0;
    }
  }
  return lines;
}

/** libmime.decodeHeader: the unfolded, trimmed value after the first colon. */
export function lineValue(line: string): string {
  const folded = line.includes('\n') || line.includes('\r');
  const unfolded = (folded ? line.replace(/(?:\r?\n|\r)[ \t]*/g, ' ') : line).trim();
  const m = /^\s*([^:]+):(.*)$/.exec(unfolded);
  return (m?.[2] ?? '').trim();
}

/**
 * mailsplit getFirst() for a structural field: '' when absent, undefined when the value holds
 * anything but printable ASCII and tabs (mailsplit would re-read it as UTF-8 first).
 */
export function firstValue(lines: readonly HeaderLine[], key: string): string | undefined {
  const found = lines.find(l => l.key === key);
  if (!found) return '';
  const value = lineValue(found.line);
  return /[^\t\x20-\x7e]/.test(value) ? undefined : value;
}

/**
 * libmime.parseHeaderValue for the plain form `value *( ";" name "=" (token | "quoted") )`.
 * Undefined for comments, escapes, RFC 2231 names (`name*`) and text after a closing quote
 * (parentheses inside quotes are data: Sun Messaging Server writes `boundary="Boundary_(ID_…)"`).
 */
export function parseStructured(input: string): Structured | undefined {
  if (!input) return { value: '', params: new Map() };
  if (input.includes('\\')) return undefined;
  const segments: string[] = [];
  let start = 0;
  let quote = false;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c === 0x22) quote = !quote;
    else if ((c === 0x28 || c === 0x29) && !quote) return undefined; // a comment
    else if (c === 0x3b && !quote) {
      segments.push(input.slice(start, i));
      start = i + 1;
    }
  }
  if (quote) return undefined;
  segments.push(input.slice(start));
  const value = trimWsp(segments[0]!);
  if (value.includes('"')) return undefined;
  const params = new Map<string, string>();
  for (const segment of segments.slice(1)) {
    const eq = segment.indexOf('=');
    const name = trimWsp(eq < 0 ? segment : segment.slice(0, eq)).toLowerCase();
    if (name.includes('"') || name.includes('*')) return undefined;
    if (!name) {
      if (eq < 0) continue;
      return undefined;
    }
    let v = eq < 0 ? '' : trimWsp(segment.slice(eq + 1));
    if (v.startsWith('"')) {
      if (!v.endsWith('"') || v.length < 2) return undefined;
      v = v.slice(1, -1);
    }
    if (v.includes('"')) return undefined;
    if (!params.has(name)) params.set(name, v);
  }
  return { value, params };
}

// libmime's isWSP: space, tab, CR, LF, FF, VT (control characters never get here but tab).
function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

const NON_ASCII = /[^\x00-\x7f]/;
const CLEAN_WORD = /=\?([A-Za-z0-9_-]+)\?([BbQq])\?([^?\s]*)\?=/g;
const ONLY_SPACE = /^\s*$/;

/**
 * The Subject as mailparser gives it: the first Subject line whose decoded value is not empty,
 * or undefined; `false` when the value holds an encoded word we cannot decode like libmime.
 */
export function decodedSubject(lines: readonly HeaderLine[]): string | undefined | false {
  for (const l of lines) {
    if (l.key !== 'subject') continue;
    // Raw 8-bit bytes are read as UTF-8, as mailsplit does; ASCII needs no round trip.
    const raw = lineValue(l.line);
    const value = decodeWords(NON_ASCII.test(raw) ? Buffer.from(raw, 'latin1').toString('utf8') : raw);
    if (value === undefined) return false;
    if (value) return value;
  }
  return undefined;
}

/**
 * libmime.decodeWords: adjacent words in the same charset and encoding are joined before they
 * are decoded (so a character split across two words survives), blanks between words dropped.
 */
export function decodeWords(value: string): string | undefined {
  if (!value.includes('=?')) return value;
  const words: { start: number; end: number; canonical: string; b: boolean; payload: string }[] = [];
  let residue = '';
  let last = 0;
  for (const m of value.matchAll(CLEAN_WORD)) {
    const canonical = canonicalCharset(m[1]!);
    if (!canonical || /[^\x21-\x7e]/.test(m[3]!)) return undefined;
    residue += value.slice(last, m.index);
    last = m.index + m[0].length;
    words.push({ start: m.index, end: last, canonical, b: m[2] === 'B' || m[2] === 'b', payload: m[3]! });
  }
  residue += value.slice(last);
  // Anything libmime's looser patterns could read as (part of) a word: not ours to guess.
  if (residue.includes('=?') || residue.includes('?=')) return undefined;
  let out = '';
  let pos = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    out += value.slice(pos, w.start);
    let payload = w.payload;
    let j = i;
    while (j + 1 < words.length && ONLY_SPACE.test(value.slice(words[j]!.end, words[j + 1]!.start))) {
      const next = words[j + 1]!;
      if (next.b !== w.b || next.canonical !== w.canonical) break;
      payload += next.payload;
      j++;
    }
    const decoded = decodeCharset(w.b ? decodeBase64(payload) : qBytes(payload), w.canonical);
    if (decoded === undefined) return undefined;
    out += decoded;
    i = j;
    pos = words[j]!.end;
    // Blanks between this word and a following (unjoined) word are dropped too.
    const after = words[j + 1];
    if (after && ONLY_SPACE.test(value.slice(pos, after.start))) pos = after.start;
  }
  return out + value.slice(pos);
}

/** libmime's "Q" decoding: `_` is a space, `=XX` a byte (payloads here are printable ASCII). */
function qBytes(payload: string): Buffer {
  const str = payload.replace(/_/g, ' ');
  const out: number[] = [];
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c === 0x3d && i <= str.length - 2) {
      const hi = hexValue(str.charCodeAt(i + 1));
      const lo = hexValue(str.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out.push(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out.push(c);
  }
  return Buffer.from(out);
}
