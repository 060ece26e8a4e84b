// Transfer decoding for the fast MIME reader (fast-mime.ts): quoted-printable, base64 and
// format=flowed, each written to give exactly what mailparser 3.14 gives (through libqp, libbase64
// and libmime) for the inputs accepted here. Charsets are in fast-charset.ts.

const LF = 10;
const CR = 13;

/**
 * libqp.decode (libqp 3.0) on bytes: blanks before a line end dropped, soft line breaks (`=` at
 * the end of a line) joined, then `=XX` decoded (a pair may straddle a soft break, as in libqp).
 * Input never holds a bare CR here (readFastMime bails on one). Lines and runs between `=` are
 * found and copied natively: a byte-by-byte loop cost ~10 ns a byte (issue 3, 64 KB HTML parts).
 */
export function decodeQuotedPrintable(body: Buffer): Buffer {
  const len = body.length;
  const out = Buffer.allocUnsafe(len);
  let n = 0;
  for (let pos = 0; pos < len; ) {
    let nl = body.indexOf(LF, pos);
    const last = nl === -1;
    if (last) nl = len;
    let end = nl;
    const crlf = !last && end > pos && body[end - 1] === CR;
    if (crlf) end--;
    while (end > pos && (body[end - 1] === 0x20 || body[end - 1] === 0x09)) end--;
    if (end > pos) n += body.copy(out, n, pos, end);
    if (end > pos && body[end - 1] === 0x3d) {
      n--; // soft line break
    } else if (!last) {
      if (crlf) out[n++] = CR;
      out[n++] = LF;
    }
    pos = nl + 1;
  }
  // `=XX` to a byte, in place (the output never overtakes the input).
  let m = 0;
  for (let i = 0; i < n; ) {
    let eq = out.indexOf(0x3d, i);
    if (eq === -1 || eq > n) eq = n;
    if (eq > i) {
      if (m !== i) out.copyWithin(m, i, eq);
      m += eq - i;
    }
    if (eq === n) break;
    if (eq < n - 2) {
      const hi = hexValue(out[eq + 1]!);
      const lo = hi >= 0 ? hexValue(out[eq + 2]!) : -1;
      if (lo >= 0) {
        out[m++] = hi * 16 + lo;
        i = eq + 3;
        continue;
      }
    }
    out[m++] = 0x3d;
    i = eq + 1;
  }
  return out.subarray(0, m);
}

export function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/**
 * libbase64's Decoder fed the whole body in one write: junk characters dropped, everything up
 * to the last `=` and whole quartets decoded, then the rest. mailsplit may hand the body over in
 * two writes (the last line of the input apart), which decodes the same only when no `=` comes
 * before the end; undefined otherwise.
 */
export function decodeBase64Body(body: Buffer): Buffer | undefined {
  if (!body.length) return Buffer.alloc(0);
  let b64 = body.toString('latin1');
  if (/[^a-zA-Z0-9+/=]/.test(b64)) b64 = b64.replace(/[^a-zA-Z0-9+/=]/g, '');
  if (/=[^=]/.test(b64)) return undefined;
  let padded = '';
  const lastPad = b64.lastIndexOf('=');
  if (lastPad >= 0) {
    padded = b64.slice(0, lastPad + 1);
    b64 = b64.slice(lastPad + 1);
  }
  let tail = '';
  if (b64.length < 4) {
    tail = b64;
    b64 = '';
  } else if (b64.length % 4) {
    tail = b64.slice(-(b64.length % 4));
    b64 = b64.slice(0, b64.length - tail.length);
  }
  const head = padded + b64;
  const parts: Buffer[] = [];
  if (head) parts.push(decodeBase64(head));
  if (tail) parts.push(decodeBase64(tail));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** libbase64.decode: padding inside the input restarts the quartets (segment by segment). */
export function decodeBase64(str: string): Buffer {
  const padPos = str.indexOf('=');
  if (padPos >= 0 && /[a-zA-Z0-9+/\-_]/.test(str.slice(padPos))) {
    const output = Buffer.alloc(Math.floor((str.length * 3) / 4));
    let length = 0;
    let start = 0;
    while (start <= str.length) {
      let end = str.indexOf('=', start);
      if (end < 0) end = str.length;
      if (end > start) length += output.write(str.substring(start, end), length, 'base64');
      start = end + 1;
    }
    return Buffer.from(output.subarray(0, length));
  }
  return Buffer.from(str, 'base64');
}

/** libmime.decodeFlowed (RFC 3676), on the transfer-decoded bytes read as latin1. */
export function decodeFlowed(input: string, delSp: boolean): string {
  const lines = input.split(/\r?\n/);
  const result: string[] = [];
  let parts: string[] = [];
  let partsLength = 0;
  let depth = 0;
  let prefix = '';
  const pushPart = (part: string) => {
    if (part) {
      parts.push(part);
      partsLength += part.length;
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let lineDepth = 0;
    while (line.charCodeAt(lineDepth) === 0x3e) lineDepth++;
    const prefixLength = lineDepth && line.charCodeAt(lineDepth) === 0x20 ? lineDepth + 1 : lineDepth;
    const content = line.slice(prefixLength);
    const last = parts.length ? parts[parts.length - 1]! : '';
    const isSoftBreak = lineDepth === depth && last.endsWith(' ') && !(partsLength === 3 && parts.join('') === '-- ');
    if (isSoftBreak) {
      if (delSp) {
        parts.pop();
        partsLength -= last.length;
        pushPart(last.slice(0, -1));
        pushPart(content);
      } else {
        pushPart(lineDepth ? content : content.replace(/^ /, ''));
      }
    } else {
      if (i > 0) result.push(prefix + parts.join(''));
      parts = [];
      partsLength = 0;
      depth = lineDepth;
      prefix = line.slice(0, prefixLength);
      pushPart(content);
    }
  }
  if (partsLength || prefix) result.push(prefix + parts.join(''));
  return result.join('\n').replace(/^ /gm, '');
}
