// Ipswitch IMail Server ("X-Mailer: <SMTP32 vN>") bounces: "Undeliverable Mail" with one line
// naming the failure and the recipient ("User mailbox exceeds allowed size: rcpt",
// "undeliverable to rcpt") and, for remote refusals, the reply after "Body of message generated
// response:" (corpus lhost-imailserver-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { joinReply, linesAfter, paragraph, rawRecipient } from './lib.js';

const MAILER = /^<?SMTP32 v/i;
// A line ending in the recipient: "User mailbox exceeds allowed size: rcpt", "undeliverable to rcpt".
// Tried from word starts only ((?<!...)): from every character a long word costs quadratic time.
const TRAILING_ADDRESS = /(?<![^\s<>])<?([^\s<>]+@[^\s<>]+)>?$/;
const LEAD = /^(.*?)(?::|\s+to)$/i;
const RESPONSE = /^\s*Body of message generated response:\s*$/im;

export const imailserverLayout: ProseLayout = {
  generator: 'imailserver',
  needs: { header: ['x-mailer'] },
  read(view, text) {
    if (!MAILER.test(view.header.find(f => f.name === 'x-mailer')?.value ?? '')) return [];
    // Every message IMail sends carries its X-Mailer; only its postmaster notices are bounces.
    if (!/undeliverable|returned|failure/i.test(view.subject ?? '') && !/postmaster|mailer-daemon/i.test(view.header.find(f => f.name === 'from')?.value ?? '')) return [];
    const response = linesAfter(text, RESPONSE);
    const reply = response ? joinReply(paragraph(response).lines) : '';
    const out: RawRecipient[] = [];
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      const address = TRAILING_ADDRESS.exec(line);
      const lead = address ? LEAD.exec(line.slice(0, address.index).trimEnd()) : null;
      if (!address || !lead) continue;
      const said = lead[1]!.trim();
      // Header-like lines of the notice ("To: x", "Save to the following Address Book: x").
      if (/^(To|CC|From)$/i.test(said) || !/undeliverable|exceed|unknown|not|fail|invalid|reject/i.test(said)) continue;
      out.push(rawRecipient(address[1]!, 'failed', reply || said));
    }
    return out;
  },
};
