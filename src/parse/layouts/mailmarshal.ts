// Trustwave/Marshal MailMarshal bounces: "Your message: From: ... Subject: ...", "Could not be
// delivered because of" and the reply, "The following recipients were affected:" and the
// indented addresses, then an "Additional Information" block of "Name: <value>" lines
// (Remote-MTA, Reporting-MTA...) (corpus lhost-mailmarshal-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { addressLine, linesAfter, paragraph, rawRecipient } from './lib.js';

const BECAUSE = /^\s*Could not be delivered because of\s*$/im;
const LIST = /^\s*The following recipients were affected:\s*$/im;
const REMOTE = /^\s*Remote-MTA:\s*<?([^\s<>]+)>?/im;

export const mailmarshalLayout: ProseLayout = {
  generator: 'mailmarshal',
  needs: { text: ['the following recipients were affected:'] },
  read(_view, text) {
    const list = linesAfter(text, LIST);
    const because = linesAfter(text, BECAUSE);
    if (!list || !because) return [];
    const reason = paragraph(because).lines.join(' ');
    const host = REMOTE.exec(text)?.[1];
    const out: RawRecipient[] = [];
    for (const line of paragraph(list).lines) {
      const rcpt = addressLine(line);
      if (rcpt) out.push(rawRecipient(rcpt, /^4/.test(reason) ? 'delayed' : 'failed', reason, { remoteMta: host }));
    }
    return out;
  },
};
