// Trend Micro InterScan MSS / IMSS notifications: either the SMTP exchange itself
// ("Sent <<< RCPT TO:<rcpt>" / "Received >>> 550 5.1.1 ...") or one sentence ("Unable to deliver
// message to <rcpt> (and other recipients in the same domain).") (corpus lhost-trendmicro-*,
// lhost-interscanmss-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { rawRecipient, stageOf } from './lib.js';

const FROM = /InterScan/i;
const SENT = /^\s*Sent <<< ([A-Z]+(?: [A-Z]+)?):?\s*<?([^\s<>]+@[^\s<>]+?)>?\s*$/i;
const RECEIVED = /^\s*Received >>> (.*)$/i;
const SENTENCE = /Unable to deliver message to <([^\s<>]+@[^\s<>]+)>([^\n]*)/gi;

export const trendmicroLayout: ProseLayout = {
  generator: 'trendmicro',
  needs: { from: ['interscan'], text: ['interscan messaging security'] },
  read(view, text) {
    const from = view.header.find(f => f.name === 'from')?.value ?? '';
    if (!FROM.test(from) && !/InterScan Messaging Security/i.test(text)) return [];
    const out: RawRecipient[] = [];
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const sent = SENT.exec(lines[i]!);
      if (!sent) continue;
      const reply = RECEIVED.exec(lines[i + 1] ?? '')?.[1] ?? '';
      out.push(rawRecipient(sent[2]!, /^4/.test(reply) ? 'delayed' : 'failed', reply, { stage: stageOf(sent[1]) }));
    }
    if (out.length) return out;
    for (const m of text.matchAll(SENTENCE)) out.push(rawRecipient(m[1]!, 'failed', m[0]));
    return out;
  },
};
