// Lotus Notes SMTP MTA (R4/R5 era) bounces: "------- Failure Reasons --------", the reason (often
// in Japanese), the failed address on its own line, then "------- Returned Message --------"
// (corpus lhost-notes-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { addressLine, linesAfter, rawRecipient } from './lib.js';

const START = /^-{3,}\s*Failure Reasons\s*-{3,}\s*$/im;
const STOP = /^-{3,}\s*Returned Message\s*-{3,}/i;

export const notesLayout: ProseLayout = {
  generator: 'notes',
  needs: { text: ['failure reasons'] },
  read(_view, text) {
    const lines = linesAfter(text, START);
    if (!lines) return [];
    const out: RawRecipient[] = [];
    let reason: string[] = [];
    for (const line of lines) {
      if (STOP.test(line)) break;
      const rcpt = addressLine(line);
      if (rcpt) {
        out.push(rawRecipient(rcpt, 'failed', reason.join(' ')));
        reason = [];
      } else if (line.trim()) {
        reason.push(line.trim());
      }
    }
    return out;
  },
};
