// An unidentified Japanese gateway (Sisimai calls it X1; the copies show "Mail2000 ESMTP
// Server"): "---The following addresses had delivery errors---" then one "rcpt [reason]" line per
// recipient, no delivery-status part, no reply code (corpus lhost-x1-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { linesAfter, rawRecipient } from './lib.js';

const LIST = /^-{3,} ?The following addresses had delivery errors ?-{3,}/im;
const ENTRY = /^\s*<?([^\s<>]+@[^\s<>]+?)>?\s+\[(.+)\]\s*$/;

export const x1Layout: ProseLayout = {
  generator: 'x1',
  needs: { text: ['the following addresses had delivery errors'] },
  read(_view, text) {
    const lines = linesAfter(text, LIST);
    if (!lines) return [];
    const out: RawRecipient[] = [];
    for (const line of lines) {
      if (/^-{3,}/.test(line.trim())) break;
      const m = ENTRY.exec(line);
      if (m) out.push(rawRecipient(m[1]!, 'failed', m[2]));
    }
    return out;
  },
};
