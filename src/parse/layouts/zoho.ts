// Zoho Mail bounces (no delivery-status part): one line per recipient,
// "rcpt Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <rcpt>... User Unknown", or for
// delays a Sendmail-like "[Status: Error, Address: <rcpt>, ResponseCode 421, , Host not
// reachable.]" under "THIS IS A WARNING MESSAGE ONLY" (corpus lhost-zoho-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { rawRecipient } from './lib.js';

const ENTRY = /^<?([^\s<>]+@[^\s<>]+)>?[ \t]+(.*ERROR_CODE\s*:.*)$/gm;
const CODES = /ERROR_CODE\s*:\s*/g;
const WARNING = /^\[Status: (\w+), Address: <([^<>]+)>, ResponseCode (\d{3})?,([^,\]]*),\s*(.*?)\]\s*$/gm;

export const zohoLayout: ProseLayout = {
  generator: 'zoho',
  needs: { text: ['error_code', '[status: '] },
  read(_view, text) {
    const out: RawRecipient[] = [];
    if (!text.includes('ERROR_CODE') && !text.includes('[Status: ')) return out;
    for (const m of text.matchAll(ENTRY)) {
      // "Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <x>... User Unknown" → the reply.
      const codes = m[2]!.slice(m[2]!.search(CODES)).replace(CODES, '').replace(/^(\d{3}),\s*/, '$1 ');
      out.push(rawRecipient(m[1]!, 'failed', codes));
    }
    if (out.length) return out;
    const delayed = /THIS IS A WARNING MESSAGE ONLY/i.test(text);
    for (const m of text.matchAll(WARNING)) {
      const reply = [m[3], m[4]?.trim(), m[5]?.trim()].filter(Boolean).join(' ');
      out.push(rawRecipient(m[2]!, delayed ? 'delayed' : 'failed', reply));
    }
    return out;
  },
};
