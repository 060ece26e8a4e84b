// OpenSMTPD bounces without a delivery-status part (before 6.x added one): "This is the
// MAILER-DAEMON, please DO NOT REPLY to this e-mail.", an intro naming the kind ("An error has
// occurred ..." / "A message is delayed ...") and one "rcpt: reason" line per recipient
// (smtpd/bounce.c; corpus lhost-opensmtpd-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { linesAfter, rawRecipient } from './lib.js';

const INTRO = /This is the MAILER-DAEMON, please DO NOT REPLY to this e-?mail/i;
const LIST = /^\s*(?:the following list of recipients|list of recipients):\s*$/im;
const ENTRY = /^<?([^\s<>]+@[^\s<>:]+)>?:\s*(.+)$/;

export const opensmtpdLayout: ProseLayout = {
  generator: 'opensmtpd',
  needs: { text: ['this is the mailer-daemon, please do not reply to this e'] },
  read(_view, text) {
    if (!INTRO.test(text)) return [];
    const lines = linesAfter(text, LIST);
    if (!lines) return [];
    // bounce.c: "A message is delayed for more than ..." / "... only a temporary failure report".
    const action = /A message is delayed|only a temporary failure report/i.test(text) ? 'delayed' : 'failed';
    const out: RawRecipient[] = [];
    for (const line of lines) {
      const m = ENTRY.exec(line.trim());
      if (m) out.push(rawRecipient(m[1]!, action, m[2]));
      else if (out.length && line.trim() === '') break;
    }
    return out;
  },
};
