// "Name: value" field blocks: message headers (RFC 5322 §2.2) and delivery-status groups
// (RFC 3464 §2.1, same syntax). One tolerant reader for both, because bounces are written by
// every kind of software and we must never reject a block for one odd line.
import type { Field } from './types.js';

// RFC 5322 §3.6.8 field name: printable US-ASCII except colon. We also accept a space before
// the colon ("Action : failed"), which some gateways write.
const FIELD_LINE = /^([!-9;-~]+)[ \t]*:(.*)$/;

/** Split text into lines, whatever the line ending (LF, CRLF, lone CR). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/**
 * Parse a block of fields. Blank (or whitespace-only) lines separate groups; continuation
 * lines (leading space/tab) are unfolded by joining with one space (the brief's rule: RFC 5322
 * §2.2.3 unfolding plus whitespace collapsing, so regexes never meet a line break).
 * Lines that are neither a field nor a continuation are skipped.
 */
export function parseFieldGroups(text: string): Field[][] {
  const groups: Field[][] = [];
  let current: Field[] = [];
  let last: Field | undefined;
  for (const line of splitLines(text)) {
    if (line.trim() === '') {
      if (current.length) groups.push(current);
      current = [];
      last = undefined;
      continue;
    }
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      last.value = last.value ? `${last.value} ${line.trim()}` : line.trim();
      continue;
    }
    const m = FIELD_LINE.exec(line);
    if (!m) {
      last = undefined;
      continue;
    }
    last = { name: m[1]!.toLowerCase(), value: m[2]!.trim() };
    current.push(last);
  }
  if (current.length) groups.push(current);
  return groups;
}

/** Parse a header section: the fields before the first blank line. */
export function parseHeaderBlock(text: string): Field[] {
  const end = headerEnd(text);
  return parseFieldGroups(text.slice(0, end))[0] ?? [];
}

/** Offset of the blank line ending the header section (text length when there is none). */
export function headerEnd(text: string): number {
  const m = /\r?\n\r?\n|\r\r/.exec(text);
  if (m) return m.index;
  return text.length;
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
  // "rfc/822;" is a seen misspelling of rfc822 (Mimecast).
  const m = /^\s*([A-Za-z][A-Za-z0-9/-]*)\s*;\s*([\s\S]*)$/.exec(value);
  if (!m) return { value: value.trim() };
  return { type: m[1]!.toLowerCase(), value: m[2]!.trim() };
}
