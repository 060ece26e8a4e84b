// IBM/HCL Domino bounces without a delivery-status part: "Your message ... was not delivered
// to:" then the indented address(es), "because:" and the indented reason (corpus
// lhost-domino-*). Domino's delivery-status part, when present, is read by rfc3464.ts.
import type { ProseLayout, RawRecipient } from '../types.js';
import { addressLine, linesAfter, paragraph, rawRecipient } from './lib.js';

const LIST = /^\s*was not delivered to:\s*$/im;
const BECAUSE = /^\s*because:\s*$/im;

export const dominoLayout: ProseLayout = {
  generator: 'domino',
  needs: { text: ['was not delivered to:'] },
  read(_view, text) {
    const lines = linesAfter(text, LIST);
    const reasonLines = linesAfter(text, BECAUSE);
    if (!lines || !reasonLines) return [];
    const reason = paragraph(reasonLines).lines.join(' ');
    const out: RawRecipient[] = [];
    for (const line of paragraph(lines).lines) {
      const rcpt = addressLine(line);
      if (rcpt) out.push(rawRecipient(rcpt, 'failed', reason));
    }
    return out;
  },
};
