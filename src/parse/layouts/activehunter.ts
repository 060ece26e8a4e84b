// Active!hunter (a Japanese mail gateway) writes Sendmail's headings with its own entries:
// ">>> rcpt <rcpt>" under "The following addresses had permanent fatal errors" and the bare
// reply under "Transcript of session follows" (corpus lhost-activehunter-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { linesAfter, paragraph, rawRecipient } from './lib.js';

const LIST = /^\s*-{3,} ?The following addresses had (permanent fatal|transient non-fatal) errors ?-{3,}\s*$/im;
const TRANSCRIPT = /^\s*-{3,} ?Transcript of session follows ?-{3,}\s*$/im;
const ENTRY = /^\s*>>>\s*(\S+@\S+?)(?:\s+<[^<>]*>)?\s*$/;

export const activehunterLayout: ProseLayout = {
  generator: 'activehunter',
  needs: { text: ['the following addresses had permanent fatal errors', 'the following addresses had transient non-fatal errors'] },
  read(_view, text) {
    const list = LIST.exec(text);
    const lines = linesAfter(text, LIST);
    if (!list || !lines) return [];
    const transcript = linesAfter(text, TRANSCRIPT);
    const reply = transcript ? paragraph(transcript).lines.join(' ') : '';
    const action = /transient/i.test(list[1]!) ? 'delayed' : 'failed';
    const out: RawRecipient[] = [];
    for (const line of paragraph(lines).lines) {
      const m = ENTRY.exec(line);
      if (m) out.push(rawRecipient(m[1]!, action, reply));
    }
    return out;
  },
};
