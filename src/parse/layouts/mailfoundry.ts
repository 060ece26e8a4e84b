// MailFoundry gateway bounces: "Unable to deliver message to: <rcpt>", "Delivery failed for the
// following reason:", "Server host[ip] failed with: <reply>" (corpus lhost-mailfoundry-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { linesAfter, paragraph, rawRecipient } from './lib.js';

const RCPT = /^Unable to deliver message to:\s*<?([^\s<>]+@[^\s<>]+?)>?\s*$/gim;
const REASON = /^Delivery failed for the following reason:\s*$/im;
const SERVER = /^Server (\S+?)\[[^\]]*\] failed with:\s*/i;

export const mailfoundryLayout: ProseLayout = {
  generator: 'mailfoundry',
  needs: { text: ['delivery failed for the following reason:'] },
  read(_view, text) {
    const reasonLines = linesAfter(text, REASON);
    if (!reasonLines) return [];
    let reason = paragraph(reasonLines).lines.join(' ');
    const host = SERVER.exec(reason)?.[1];
    reason = reason.replace(SERVER, '');
    const action = /permanent failure/i.test(text) || !/^4/.test(reason) ? 'failed' : 'delayed';
    const out: RawRecipient[] = [];
    for (const m of text.matchAll(RCPT)) out.push(rawRecipient(m[1]!, action, reason, { remoteMta: host }));
    return out;
  },
};
