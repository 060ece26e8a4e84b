// KDDI au one net (dion.ne.jp) bounces: a Japanese explanation, then "Your mail sent on: <date>",
// "Could not be delivered to: <rcpt>" and the reason on the next lines ("As their mailbox is
// full.") (corpus lhost-kddi-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { rawRecipient } from './lib.js';

const ENTRY = /^\s*Could not be delivered to:\s*<?([^\s<>]+@[^\s<>]+?)>?\s*$((?:\n[ \t]*\S.*)*)/gim;

export const kddiLayout: ProseLayout = {
  generator: 'kddi',
  needs: { text: ['your mail sent on:'] },
  read(_view, text) {
    if (!/^\s*Your mail sent on:/im.test(text)) return [];
    const out: RawRecipient[] = [];
    for (const m of text.matchAll(ENTRY)) out.push(rawRecipient(m[1]!, 'failed', m[2]));
    return out;
  },
};
