// Yahoo! Mail (and AOL, Verizon Media, which share it) bounces: qmail-derived text without a
// delivery-status part. "Sorry, we were unable to deliver your message to the following
// address." then "<rcpt>:", an optional "Remote host said:", the reply and the command in
// brackets ("[RCPT_TO]") (corpus lhost-yahoo-*).
import type { ProseLayout } from '../types.js';
import { colonEntries, linesAfter, rawRecipient, stageOf } from './lib.js';

const INTRO = /Sorry,? we were unable to deliver your message to the following address/i;
const STOP = /^-{2,} ?Below this line is a copy of the message/i;
const COMMAND = /\s*\[([A-Z_]{4,12})\]\s*$/;

export const yahooLayout: ProseLayout = {
  generator: 'yahoo',
  needs: { text: ['we were unable to deliver your message to the following address'] },
  read(_view, text) {
    const lines = linesAfter(text, INTRO);
    if (!lines) return [];
    return colonEntries(lines, STOP).map(e => {
      let reason = e.reason.join(' ').replace(/^Remote host said:\s*/i, '');
      const command = COMMAND.exec(reason);
      if (command) reason = reason.slice(0, command.index);
      return rawRecipient(e.recipient, 'failed', reason, { stage: stageOf(command?.[1]) });
    });
  },
};
