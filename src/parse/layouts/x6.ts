// An unidentified gateway (Sisimai's X6): "We had trouble delivering your message. Full details
// follow:" then one sentence per error, either "The following recipients returned permanent
// errors: rcpt. Reason: SMTP Server <host> refused to accept your message (DATA), with the
// following error message: [reply]" or "SMTP Server <host> rejected recipient <rcpt> (Error
// following RCPT command). It responded as follows: [reply]" (corpus lhost-x6-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { rawRecipient, stageOf } from './lib.js';

const INTRO = /We had trouble delivering your message\. Full details follow:/i;
const PERMANENT = /The following recipients returned (permanent|temporary) errors: ([^\n]{1,2000}?)\. Reason: SMTP Server <([^<>]+)> refused to accept your message \(([A-Z ]+)\), with the following error message: \[([^\]]*)\]/g;
const REJECTED = /SMTP Server <([^<>]+)> rejected recipient <([^<>]+)> \(Error following ([A-Z ]+) command\)\. It responded as follows: \[([^\]]*)\]/g;

export const x6Layout: ProseLayout = {
  generator: 'x6',
  needs: { text: ['we had trouble delivering your message. full details follow:'] },
  read(_view, text) {
    if (!INTRO.test(text)) return [];
    const flat = text.replace(/\s+/g, ' ');
    const out: RawRecipient[] = [];
    for (const m of flat.matchAll(PERMANENT)) {
      const action = m[1] === 'temporary' ? 'delayed' : 'failed';
      for (const rcpt of m[2]!.split(/,\s*/)) {
        out.push(rawRecipient(rcpt, action, m[5], { remoteMta: m[3], stage: stageOf(m[4]) }));
      }
    }
    for (const m of flat.matchAll(REJECTED)) {
      out.push(rawRecipient(m[2]!, 'failed', m[4], { remoteMta: m[1], stage: stageOf(m[3]) }));
    }
    return out;
  },
};
