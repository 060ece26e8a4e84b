// m-FILTER (Digital Arts) bounces: a Japanese explanation with the failed addresses on their own
// lines, then "-------server message" with the reply and "-------SMTP command" with the command
// it answered (corpus lhost-mfilter-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { addressLine, linesAfter, paragraph, rawRecipient, stageOf } from './lib.js';

const SERVER = /^-{5,}server message\s*$/im;
const COMMAND = /^-{5,}SMTP command\s*$/im;

export const mfilterLayout: ProseLayout = {
  generator: 'mfilter',
  needs: { text: ['-----server message'] },
  read(_view, text) {
    const server = SERVER.exec(text);
    const replyLines = linesAfter(text, SERVER);
    if (!server || !replyLines) return [];
    const reply = paragraph(replyLines).lines.join(' ');
    const commandLines = linesAfter(text, COMMAND);
    const stage = stageOf(commandLines ? paragraph(commandLines).lines[0] : undefined);
    const out: RawRecipient[] = [];
    for (const line of text.slice(0, server.index).split(/\r?\n/)) {
      const rcpt = addressLine(line);
      if (rcpt) out.push(rawRecipient(rcpt, /^4/.test(reply) ? 'delayed' : 'failed', reply, { stage }));
    }
    return out;
  },
};
