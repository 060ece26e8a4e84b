// RFC 2047 encoded-word decoding for the few header values we keep from the returned message
// (Subject, display names). mailparser decodes the report's own headers, but the returned
// message is kept as raw bytes (ignoreEmbedded), and a second MIME parse per bounce would cost
// more than these twenty lines.
import { TextDecoder } from 'node:util';

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/** Decode every encoded word; whitespace between two adjacent words is dropped (§6.2). */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(ENCODED_WORD, (word, charset: string, enc: string, text: string) => {
      try {
        const bytes = enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qBytes(text);
        // RFC 2231 §5 allows a language suffix: "utf-8*ja".
        return decoderFor(charset.replace(/\*.*$/, '').toLowerCase()).decode(bytes);
      } catch {
        return word; // unknown charset: keep the word as written rather than guess
      }
    });
}

// Opening a decoder costs far more than decoding a word (issue 3); a non-streaming decode keeps
// no state, so one per charset serves every word. The labels are the sender's: a few cached.
const DECODERS = new Map<string, TextDecoder>();
const MAX_DECODERS = 32;

/** A decoder for `label`; throws (RangeError) for a label TextDecoder does not know, as before. */
function decoderFor(label: string): TextDecoder {
  let decoder = DECODERS.get(label);
  if (!decoder) {
    decoder = new TextDecoder(label);
    if (DECODERS.size < MAX_DECODERS) DECODERS.set(label, decoder);
  }
  return decoder;
}

/** The "Q" encoding (§4.2): quoted-printable with `_` for space. */
function qBytes(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '_') out.push(0x20);
    else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c.charCodeAt(0) & 0xff);
  }
  return Buffer.from(out);
}
