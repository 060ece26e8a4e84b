// au by KDDI's EZweb (ezweb.ne.jp) mobile mail bounces, several templates, all from
// Postmaster@ezweb.ne.jp with "Mail System Error - Returned Mail": a Japanese explanation, an
// English sentence ("The user(s) account is disabled.", "Your message was not delivered within
// N days", "Each of the following recipients was rejected by a remote mail server."), and the
// recipients either as "<rcpt>" lines or as "Recipient: <rcpt>" with a ">>> / <<<" transcript
// (corpus lhost-ezweb-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { stageFromTranscript } from '../stage.js';
import { addressLine, rawRecipient } from './lib.js';

const SUBJECT = /^Mail System Error - Returned Mail/i;
const FROM = /@ezweb\.ne\.jp/i;
const RECIPIENT = /^\s*Recipient:\s*<?([^\s<>]+@[^\s<>]+?)>?\s*$/i;
const TRANSCRIPT = /^\s*(>>>|<<<)\s*(.*)$/;

export const ezwebLayout: ProseLayout = {
  generator: 'ezweb',
  needs: { subject: ['mail system error - returned mail'] },
  read(view, text) {
    const from = view.header.find(f => f.name === 'from')?.value ?? '';
    if (!SUBJECT.test(view.subject ?? '') || !FROM.test(from)) return [];
    // A rule of dashes separates the notification from the returned headers in one template.
    const rule = text.search(/^-{10,}\s*$/m);
    const lines = (rule === -1 ? text : text.slice(0, rule)).split(/\r?\n/);
    // An English sentence is the only reason some templates give.
    const english = lines
      .filter(l => /^[\x20-\x7e]+$/.test(l.trim()) && /[a-z]{3}/.test(l) && !addressLine(l) && !RECIPIENT.test(l) && !TRANSCRIPT.test(l))
      .map(l => l.trim())
      .join(' ');
    const out: RawRecipient[] = [];
    for (let i = 0; i < lines.length; i++) {
      const r = RECIPIENT.exec(lines[i]!);
      if (r) {
        const transcript: string[] = [];
        while (i + 1 < lines.length && TRANSCRIPT.test(lines[i + 1]!)) transcript.push(lines[++i]!.trim());
        const reply = transcript.filter(l => l.startsWith('<<<')).map(l => l.slice(3).trim()).join(' ');
        out.push(rawRecipient(r[1]!, 'failed', reply || english, { stage: stageFromTranscript(transcript.join('\n')) }));
        continue;
      }
      const rcpt = addressLine(lines[i]!);
      if (rcpt) out.push(rawRecipient(rcpt, 'failed', english));
    }
    return out;
  },
};
