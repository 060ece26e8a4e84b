// United Internet (GMX, WEB.DE, mail.com, 1&1/IONOS "kundenserver") bounces: Exim's wording
// ("This message was created automatically by mail delivery software") with their own body and
// no delivery-status part. Either qmail-like entries ("\"rcpt\":" or "rcpt:" then
// "SMTP error from remote server after RCPT command:" / "... for TEXT command, host: X (ip)
// reason: <reply>"), or the address alone followed by "Reason:" / "For the following reason:"
// and the text (corpus lhost-gmx-*, lhost-einsundeins-*, rhost-franceptt-04).
import type { ProseLayout, RawRecipient } from '../types.js';
import { addressLine, colonEntries, rawRecipient, stageOf } from './lib.js';

const INTRO = /This message was created automatically by mail delivery software/i;
const LIST = /following address(?:\(es\))?\s+failed:/i;
const STOP = /^-{2,} ?The header of the original message is following/i;
const SMTP_ERROR = /SMTP error from remote server (?:after|for) ([A-Z ]+?) command[:,]?\s*/i;
const HOST = /host:\s*([A-Za-z0-9.-]+)(?:\s*\([^)]*\))?\s*/i;
const REASON = /^(?:For the following reason|Reason):\s*$/im;

export const gmxLayout: ProseLayout = {
  generator: 'gmx',
  needs: { text: ['the header of the original message is following'] },
  read(_view, text) {
    if (!INTRO.test(text) || !/^-{2,} ?The header of the original message is following/im.test(text)) return [];
    const list = LIST.exec(text);
    if (!list) return [];
    const body = text.slice(list.index + list[0].length);
    const end = body.search(/^-{2,} ?The header of the original message/im);
    const lines = (end === -1 ? body : body.slice(0, end)).split(/\r?\n/);
    const out: RawRecipient[] = [];
    for (const e of colonEntries(lines)) {
      let reason = e.reason.join(' ');
      const smtp = SMTP_ERROR.exec(reason);
      const stage = stageOf(smtp?.[1]);
      if (smtp) reason = reason.replace(SMTP_ERROR, '');
      const host = HOST.exec(reason);
      if (host) reason = reason.replace(HOST, '');
      reason = reason.replace(/^reason:\s*/i, '');
      out.push(rawRecipient(e.recipient, 'failed', reason, { stage, remoteMta: host?.[1] }));
    }
    if (out.length) return out;
    // "<rcpt>" alone, the reason in its own paragraph after "Reason:".
    const reasonAt = REASON.exec(lines.join('\n'));
    const reason = reasonAt ? lines.join('\n').slice(reasonAt.index + reasonAt[0].length).trim() : '';
    for (const line of reasonAt ? lines.join('\n').slice(0, reasonAt.index).split('\n') : lines) {
      const rcpt = addressLine(line);
      if (rcpt) out.push(rawRecipient(rcpt, 'failed', reason));
    }
    return out;
  },
};
