// Gmail / Google Workspace bounce without a delivery-status part (the pre-2016 template, still
// in the corpus): "Delivery to the following recipient failed permanently:" then indented
// addresses, then "Technical details of permanent failure:" with the remote's reply after
// "The error that the other server returned was:" (corpus lhost-gmail-*).
import type { ProseLayout, RawRecipient } from '../types.js';

const LIST = /Delivery to the following recipients? (failed permanently|has been delayed|failed)[^:\n]*:/i;
const DETAILS = /Technical details of (?:permanent|temporary) failure:\s*([\s\S]*)$/i;
const RETURNED = /The error that the other server returned was:\s*([\s\S]*)$/i;
// "rejected by the server for the recipient domain example.jp by mx.example.jp. [192.0.2.2]."
const HOST = /\bby ([A-Za-z0-9][A-Za-z0-9.-]*?)\.? \[[0-9a-fA-F.:]+\]/;

export const googleLayout: ProseLayout = {
  generator: 'google',
  needs: { text: ['delivery to the following recipient'] },
  read(_view, text) {
    const list = LIST.exec(text);
    if (!list) return [];
    const action = /delayed/i.test(list[1]!) ? 'delayed' : 'failed';
    const rest = text.slice(list.index + list[0].length);
    const addresses: string[] = [];
    for (const line of rest.split(/\r?\n/)) {
      if (line.trim() === '') {
        if (addresses.length) break;
        continue;
      }
      const m = /^\s+(\S+@\S+)\s*$/.exec(line);
      if (!m) break;
      addresses.push(m[1]!);
    }
    const details = DETAILS.exec(rest)?.[1] ?? '';
    const reply = (RETURNED.exec(details)?.[1] ?? details).replace(/\s+/g, ' ').trim();
    const host = HOST.exec(details.replace(/\s+/g, ' '))?.[1];
    return addresses.map(recipient => {
      const r: RawRecipient = { recipient, action, fields: {} };
      if (reply) r.diagnosticCode = reply;
      if (host) r.remoteMta = host;
      return r;
    });
  },
};
