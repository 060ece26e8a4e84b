// Charset decoding for the fast MIME reader (fast-mime.ts): the charsets whose decoding by libmime
// 5.6 (iconv-lite, encoding-japanese) Node's TextDecoder reproduces exactly, under libmime's own
// names. Every function returns undefined where it is not sure, and the message then goes to
// mailparser.
import { TextDecoder } from 'node:util';

// libmime's charset aliases (libmime 5.6 charsets.js + normalizeCharset) for the charsets we
// decode ourselves; the value is libmime's canonical name, which also decides when two adjacent
// encoded words are joined before decoding. Anything not listed here makes the reader bail out.
const CANONICAL = new Map<string, string>();
for (const label of ['utf-8', 'utf8', 'unicode-1-1-utf-8']) CANONICAL.set(label, 'UTF-8');
// libmime reads all of these as windows-1252 (the WHATWG rule), not as ISO-8859-1.
for (const label of ['us-ascii', 'ascii', 'iso-8859-1', 'iso8859-1', 'iso_8859-1', 'iso88591', 'latin1', 'l1', 'windows-1252', 'cp1252']) {
  CANONICAL.set(label, 'windows-1252');
}
for (const n of [2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15]) {
  for (const label of [`iso-8859-${n}`, `iso8859-${n}`, `iso_8859-${n}`, `iso8859${n}`]) CANONICAL.set(label, `ISO-8859-${n}`);
}
CANONICAL.set('iso-8859-8-i', 'ISO-8859-8');
CANONICAL.set('iso-8859-9', 'windows-1254');
// Not windows-1253: WHATWG maps 0xAA to "ª" where iconv-lite has no character.
for (const n of [1250, 1251, 1254, 1257]) CANONICAL.set(`windows-${n}`, `windows-${n}`);
CANONICAL.set('koi8-r', 'KOI8-R');
CANONICAL.set('iso-2022-jp', 'ISO-2022-JP');
// libmime refuses UTF-7 (it can smuggle markup past filters) and reads it as UTF-8 instead.
const REFUSED = new Set(['UTF-7', 'UNICODE-1-1-UTF-7']);
for (const label of ['utf-7', 'utf7']) CANONICAL.set(label, 'UTF-7');
CANONICAL.set('unicode-1-1-utf-7', 'UNICODE-1-1-UTF-7');

/** libmime's canonical name of a charset we can decode, else undefined. */
export function canonicalCharset(label: string): string | undefined {
  return CANONICAL.get(label.trim().toLowerCase());
}

const decoders = new Map<string, TextDecoder>();
const C1 = /[\u0080-\u009f]/;

/**
 * Decode bytes in a canonical charset as libmime's decode() does, or undefined. Single-byte
 * tables: Node's TextDecoder agrees with iconv-lite except where one of them has no character
 * (iconv-lite writes U+FFFD, WHATWG a C1 control; and Node 20 reads windows-1252 as latin1),
 * so any C1 control in the output means "not sure".
 */
export function decodeCharset(bytes: Buffer, canonical: string, body = false): string | undefined {
  if (canonical === 'UTF-8' || REFUSED.has(canonical)) return bytes.toString('utf8');
  if (canonical === 'ISO-2022-JP') return decodeIso2022jp(bytes, body);
  let decoder = decoders.get(canonical);
  if (!decoder) {
    decoder = new TextDecoder(canonical);
    decoders.set(canonical, decoder);
  }
  const text = decoder.decode(bytes);
  return C1.test(text) ? undefined : text;
}

const ESC = 0x1b;
// A byte-order mark is kept: encoding-japanese keeps it too.
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * ISO-2022-JP (RFC 1468). libmime decodes it with encoding-japanese, which differs from the
 * WHATWG decoder on NEC row 13, on JIS X 0201 Roman (ESC ( J), on a line break left in
 * two-byte mode and on 8-bit bytes beside escape sequences; those inputs, and anything that is
 * not plain RFC 1468, bail out. `body`: the text of a part (not an encoded word).
 */
function decodeIso2022jp(bytes: Buffer, body: boolean): string | undefined {
  if (!bytes.includes(ESC)) {
    // encoding-japanese copies bytes outside an escape sequence into UTF-8 and decodes that
    // (JISToUTF8, UTF8ToUNICODE), so a part labelled ISO-2022-JP that really holds UTF-8 (common
    // after a gateway re-encoded it) reads as UTF-8. Anything else (EUC-JP bytes under that
    // label, corpus lhost-ezweb-02..05) is decoded as it does, for a part's text only.
    try {
      return UTF8_STRICT.decode(bytes);
    } catch {
      return body ? looseUtf8(bytes) : undefined;
    }
  }
  let mode = 0; // 0 ASCII, 1 JIS X 0208, 2 half-width katakana
  // WHATWG rejects an escape sequence right after another (joined encoded words produce them:
  // `…ESC ( B` + `ESC $ B…`); encoding-japanese does not care, so the first one is dropped.
  let clean: Buffer | undefined;
  let from = 0;
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === ESC) {
      const a = bytes[i + 1];
      const c = bytes[i + 2];
      if (a === 0x28 && c === 0x42) mode = 0; // ESC ( B
      else if (a === 0x24 && (c === 0x42 || c === 0x40)) mode = 1; // ESC $ B, ESC $ @
      else if (a === 0x28 && c === 0x49) mode = 2; // ESC ( I
      else return undefined;
      if (bytes[i + 3] === ESC) {
        clean ??= Buffer.allocUnsafe(bytes.length);
        n += bytes.copy(clean, n, from, i);
        from = i + 3;
      }
      i += 2;
    } else if (b >= 0x80 || b === 0x0e || b === 0x0f) {
      return undefined;
    } else if (mode === 1) {
      const c = bytes[i + 1];
      if (b < 0x21 || b > 0x7e || c === undefined || c < 0x21 || c > 0x7e) return undefined;
      if (b === 0x2d || (b === 0x7c && c === 0x7b)) return undefined;
      i++;
    } else if (mode === 2 && (b < 0x21 || b > 0x5f)) {
      return undefined;
    }
  }
  if (mode !== 0) return undefined;
  if (clean) {
    n += bytes.copy(clean, n, from);
    bytes = clean.subarray(0, n);
  }
  try {
    return (ISO_2022_JP ??= new TextDecoder('iso-2022-jp', { fatal: true })).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * encoding-japanese 2.x UTF8ToUNICODE, which checks nothing: a lead byte takes its continuation
 * bytes whatever they are (0 past the end), a byte 0x80-0xBF without one is dropped, a value
 * past U+FFFF is split into surrogates. mailparser then writes the text out as UTF-8 and reads
 * it back, which turns every unpaired surrogate into U+FFFD; UTF-16 decoding does the same.
 */
function looseUtf8(bytes: Buffer): string {
  const units = new Uint16Array(bytes.length * 2);
  const at = (i: number): number => (i < bytes.length ? bytes[i]! & 0x3f : 0);
  let n = 0;
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i++]!;
    let code: number;
    if (c < 0x80) code = c;
    else if (c < 0xc0) continue;
    else if (c < 0xe0) code = ((c & 0x1f) << 6) | at(i++);
    else if (c < 0xf0) code = ((c & 0x0f) << 12) | (at(i++) << 6) | at(i++);
    else code = ((c & 0x07) << 18) | (at(i++) << 12) | (at(i++) << 6) | at(i++);
    if (code <= 0xffff) {
      units[n++] = code;
    } else {
      code -= 0x10000;
      units[n++] = (code >> 10) + 0xd800;
      units[n++] = (code % 0x400) + 0xdc00;
    }
  }
  return UTF16.decode(units.subarray(0, n));
}
const UTF16 = new TextDecoder('utf-16le', { ignoreBOM: true });

// One decoder for all calls (opening one per text cost more than the decoding): a
// non-streaming decode resets it, also after it threw.
let ISO_2022_JP: TextDecoder | undefined;
