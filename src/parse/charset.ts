// Text of a part we read ourselves (delivery-status, feedback report). RFC 3464 says US-ASCII,
// RFC 6533 UTF-8, but Japanese gateways write ISO-2022-JP into Diagnostic-Code (corpus
// lhost-domino-02) and older ones Latin-1; decoding them as UTF-8 would turn the reason into
// replacement characters that no rule can match.
import { TextDecoder } from 'node:util';

const ESC = 0x1b;
// Node without full ICU has no ISO-2022-JP decoder; then such text is read as UTF-8 below.
const ISO_2022_JP = ((): TextDecoder | undefined => {
  try {
    return new TextDecoder('iso-2022-jp');
  } catch {
    return undefined;
  }
})();
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function partText(content: Buffer): string {
  // ISO-2022-JP switches character sets with ESC sequences ("ESC $ B" ... "ESC ( B").
  if (ISO_2022_JP && content.includes(ESC)) return ISO_2022_JP.decode(content);
  try {
    return UTF8.decode(content);
  } catch {
    return content.toString('latin1');
  }
}
