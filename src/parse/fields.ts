// "Name: value" field blocks: message headers (RFC 5322 §2.2) and delivery-status groups
// (RFC 3464 §2.1, same syntax). One tolerant reader for both, because bounces are written by
// every kind of software and we must never reject a block for one odd line.
// A hand-written line scanner (issue 3): a regex split plus a regex per line cost a tenth of
// the parse time. It keeps the regex version's exact rules, quoted in the comments below.
import type { Field } from './types.js';

/**
 * Parse a block of fields. Blank (or whitespace-only) lines separate groups; continuation
 * lines (leading space/tab) are unfolded by joining with one space (the brief's rule: RFC 5322
 * §2.2.3 unfolding plus whitespace collapsing, so regexes never meet a line break).
 * Lines that are neither a field nor a continuation are skipped.
 */
export function parseFieldGroups(text: string): Field[][] {
  return scanFields(text, text.length, false);
}

/**
 * Parse a header section: the fields before the first blank line. With `keep` (lower-case
 * names), only those fields: the same as filtering the whole list, without unfolding and
 * copying the long fields nobody reads (Received, DKIM-Signature).
 */
export function parseHeaderBlock(text: string, keep?: ReadonlySet<string>): Field[] {
  return scanFields(text, headerEnd(text), true, keep)[0] ?? [];
}

/**
 * parseHeaderBlock for a text known to hold no blank line (headerEnd(text) === text.length),
 * without looking for one: fast-mime.ts's header lines, which end before the blank line.
 */
export function parseHeaderLines(text: string): Field[] {
  return scanFields(text, text.length, true)[0] ?? [];
}

/** Offset of the blank line ending the header section (text length when there is none). */
export function headerEnd(text: string): number {
  // The first match of /\r?\n\r?\n|\r\r/: a match starts at a CR or LF of the first run of
  // line-ending characters that holds a blank line.
  for (let i = text.indexOf('\n'), cr = text.indexOf('\r'); i !== -1 || cr !== -1; ) {
    const at = cr !== -1 && (i === -1 || cr < i) ? cr : i;
    const end = blankAt(text, at);
    if (end !== -1) return end;
    if (at === i) i = text.indexOf('\n', i + 1);
    else cr = text.indexOf('\r', cr + 1);
  }
  return text.length;
}

/**
 * The start of a whole message up to just past the first blank line (any byte form headerEnd
 * finds: LF LF, LF CR LF, CR CR): everything parseHeaderBlock reads, so that a returned
 * message is not decoded to text whole for its header (issue 3). The bytes kept end with the
 * line-ending bytes themselves, so decoding them gives the same characters up to there.
 */
export function headerSection(raw: Buffer): Buffer {
  let end = raw.length;
  for (const blank of BLANKS) {
    const at = (end === raw.length ? raw : raw.subarray(0, end)).indexOf(blank);
    // headerEnd's match starts at most one byte before (CR) and ends with these bytes.
    if (at !== -1) end = Math.min(end, at + blank.length);
  }
  return end === raw.length ? raw : raw.subarray(0, end);
}
const BLANKS = ['\n\n', '\n\r\n', '\r\r'].map(b => Buffer.from(b, 'latin1'));

/** Where /\r?\n\r?\n|\r\r/ matches when tried at `at` (a CR or LF), else -1. */
function blankAt(text: string, at: number): number {
  let k = at;
  if (text.charCodeAt(k) === CR) {
    if (text.charCodeAt(k + 1) === CR) return at; // "\r\r" (after "\r?\n..." failed below)
    k++;
  }
  if (text.charCodeAt(k) !== LF) return -1;
  k++;
  if (text.charCodeAt(k) === CR) k++;
  if (text.charCodeAt(k) === LF) return at;
  // "\r\n\r" then no LF: the regex backtracks the optional CRs; none of that can match here.
  return -1;
}

const CR = 13;
const LF = 10;

/**
 * The groups of text[0, end), line by line; with `first`, only up to the end of the first
 * non-empty group. Lines break at CRLF, CR or LF.
 */
function scanFields(text: string, end: number, first: boolean, keep?: ReadonlySet<string>): Field[][] {
  const groups: Field[][] = [];
  let current: Field[] = [];
  let count = 0; // fields in the current group, kept or not: a group of skipped ones still counts
  let last: Field | undefined;
  // The next LF and the next CR: the line ends at whichever comes first (native searches, far
  // cheaper than a character loop). Lines are read in place, as offsets into `text`.
  let lf = text.indexOf('\n');
  let cr = text.indexOf('\r');
  // Whether any line can hold U+2028/U+2029 (see fieldAt): asked once, not per line.
  const separators = text.includes('\u2028') || text.includes('\u2029');
  for (let pos = 0; ; ) {
    if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
    if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
    let eol = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
    if (eol === -1 || eol > end) eol = end;
    const c = pos < eol ? text.charCodeAt(pos) : -1;
    // Blank: `line.trim() === ''`, asked only when the line does not start visibly.
    if ((c <= 0x20 || c >= 0x7f) && text.slice(pos, eol).trim() === '') {
      if (count) {
        groups.push(current);
        if (first) return groups;
      }
      current = [];
      count = 0;
      last = undefined;
    } else if ((c === 0x20 || c === 0x09) && last) {
      if (last !== SKIPPED) {
        const more = text.slice(pos, eol).trim();
        last.value = last.value ? `${last.value} ${more}` : more;
      }
    } else {
      last = fieldAt(text, pos, eol, separators, keep);
      if (last) {
        count++;
        if (last !== SKIPPED) current.push(last);
      }
    }
    if (eol >= end) break;
    pos = eol + (text.charCodeAt(eol) === CR && text.charCodeAt(eol + 1) === LF && eol + 1 < end ? 2 : 1);
  }
  if (count) groups.push(current);
  return groups;
}

/** A field line whose name is not kept: it counts, its value (and continuations) are not read. */
const SKIPPED: Field = Object.freeze({ name: '', value: '' });

/**
 * The line text[pos, eol) as /^([!-9;-~]+)[ \t]*:(.*)$/ reads it — RFC 5322 §3.6.8 field name
 * (printable US-ASCII except colon), a space before the colon tolerated ("Action : failed",
 * some gateways). `.` does not match U+2028/U+2029, so a line holding one is not a field.
 */
function fieldAt(text: string, pos: number, eol: number, separators: boolean, keep: ReadonlySet<string> | undefined): Field | undefined {
  let i = pos;
  while (i < eol) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x3a) break;
    i++;
  }
  if (i === pos) return undefined;
  let k = i;
  while (k < eol && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x09)) k++;
  if (k === eol || text.charCodeAt(k) !== 0x3a) return undefined;
  if (separators) {
    const value = text.slice(k + 1, eol);
    if (value.includes('\u2028') || value.includes('\u2029')) return undefined;
  }
  const name = text.slice(pos, i).toLowerCase();
  return keep && !keep.has(name) ? SKIPPED : { name, value: text.slice(k + 1, eol).trim() };
}

/** First value of a field, case-insensitive. */
export function fieldValue(fields: readonly Field[], name: string): string | undefined {
  const key = name.toLowerCase();
  for (const f of fields) if (f.name === key) return f.value;
  return undefined;
}

/**
 * Fields as a record; the first occurrence of a repeated name wins (later ones are noise).
 * `__proto__` is dropped: hostile input must not be able to reach an object's prototype.
 */
export function fieldRecord(fields: readonly Field[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    if (f.name === '__proto__' || Object.hasOwn(out, f.name)) continue;
    out[f.name] = f.value;
  }
  return out;
}

/** Remove an RFC 3464 type prefix such as `rfc822;`, `dns;`, `smtp;` (§2.1.2). */
export function stripTypePrefix(value: string): { type?: string; value: string } {
  // "rfc/822;" is a seen misspelling of rfc822 (Mimecast). No ";", no prefix: skip the regex.
  if (!value.includes(';')) return { value: value.trim() };
  const m = /^\s*([A-Za-z][A-Za-z0-9/-]*)\s*;\s*([\s\S]*)$/.exec(value);
  if (!m) return { value: value.trim() };
  return { type: m[1]!.toLowerCase(), value: m[2]!.trim() };
}
