// An unidentified qmail-based provider (Sisimai's X4): "Your mail message to the following
// address(es) could not be delivered. This is a permanent error." then qmail-style "<rcpt>:"
// entries whose reason is a local delivery program's ("child status 100...") (corpus
// lhost-x4-*).
import type { ProseLayout } from '../types.js';
import { colonEntries, linesAfter, rawRecipient } from './lib.js';

const INTRO = /Your mail message to the following address\(es\) could not be delivered\./i;
const STOP = /^-{2,} ?Below this line is a copy of the message/i;

export const x4Layout: ProseLayout = {
  generator: 'x4',
  needs: { text: ['your mail message to the following address(es) could not be delivered.'] },
  read(_view, text) {
    const lines = linesAfter(text, INTRO);
    if (!lines) return [];
    return colonEntries(lines, STOP).map(e => rawRecipient(e.recipient, 'failed', e.reason.join(' ')));
  },
};
