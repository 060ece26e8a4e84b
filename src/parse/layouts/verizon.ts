// Verizon Wireless MMS gateway (vzwpix.com) notices: "Message could not be delivered to
// mobile.", "Error: <reason>", then "Original Message:" with the original's To line, which is
// the only place the recipient is named (corpus lhost-verizon-*).
import type { ProseLayout } from '../types.js';
import { firstAddress, rawRecipient } from './lib.js';

const INTRO = /^Message could not be delivered to mobile\.?\s*$/im;
const ERROR = /^Error:\s*(.+)$/im;
const ORIGINAL_TO = /^Original Message:\s*$[\s\S]*?^To:\s*(.+)$/im;

export const verizonLayout: ProseLayout = {
  generator: 'verizon',
  needs: { text: ['message could not be delivered to mobile'] },
  read(_view, text) {
    if (!INTRO.test(text)) return [];
    const to = ORIGINAL_TO.exec(text)?.[1];
    const rcpt = firstAddress(to);
    if (!rcpt || (to ?? '').split(',').length > 1) return [];
    return [rawRecipient(rcpt, 'failed', ERROR.exec(text)?.[1])];
  },
};
