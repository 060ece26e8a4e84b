// BIGLOBE (biglobe.ne.jp) bounces: "----- The following addresses had delivery problems -----",
// the addresses, then "----- Non-delivered information -----" and the reason (corpus
// lhost-biglobe-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { addressLine, linesAfter, paragraph, rawRecipient } from './lib.js';

const LIST = /^\s*-{3,} ?The following addresses had delivery problems ?-{3,}\s*$/im;
const INFO = /^\s*-{3,} ?Non-delivered information ?-{3,}\s*$/im;

export const biglobeLayout: ProseLayout = {
  generator: 'biglobe',
  needs: { text: ['the following addresses had delivery problems'] },
  read(_view, text) {
    const lines = linesAfter(text, LIST);
    if (!lines) return [];
    const info = linesAfter(text, INFO);
    const reason = info ? paragraph(info).lines.join(' ') : '';
    const out: RawRecipient[] = [];
    for (const line of paragraph(lines).lines) {
      const rcpt = addressLine(line);
      if (rcpt) out.push(rawRecipient(rcpt, 'failed', reason));
    }
    return out;
  },
};
