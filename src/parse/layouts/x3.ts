// An unidentified MTA (Sisimai's X3): "This is an automatically generated Delivery Status
// Notification." framed by "=====" rules, "Delivery to the following recipients failed
// permanently:" with "* rcpt" bullets, then "Technical details:" and
// "SMTP:<COMMAND> host <ip>: <reply>". Some copies carry an empty delivery-status part (corpus
// lhost-x3-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { linesAfter, rawRecipient, stageOf } from './lib.js';

const INTRO = /This is an automatically generated Delivery Status Notification/i;
// "Delevery" is how one copy spells it.
const LIST = /^Del[ie]very to the following recipients? (failed permanently|was aborted[^:\n]*|has been delayed|failed[^:\n]*):\s*$/im;
const DETAIL = /^SMTP:([A-Z]+) host (\S+?):\s*(.+)$/m;

export const x3Layout: ProseLayout = {
  generator: 'x3',
  needs: { text: ['this is an automatically generated delivery status notification'] },
  read(_view, text) {
    if (!INTRO.test(text)) return [];
    const list = LIST.exec(text);
    const lines = linesAfter(text, LIST);
    if (!list || !lines) return [];
    const action = /delayed/i.test(list[1]!) ? 'delayed' : 'failed';
    const detail = DETAIL.exec(text);
    const out: RawRecipient[] = [];
    for (const line of lines) {
      const m = /^\s*\*\s*<?([^\s<>]+@[^\s<>]+?)>?\s*$/.exec(line);
      if (m) {
        out.push(rawRecipient(m[1]!, action, detail?.[3], { stage: stageOf(detail?.[1]), remoteMta: detail?.[2] }));
        continue;
      }
      if (out.length && line.trim() !== '') break;
    }
    return out;
  },
};
