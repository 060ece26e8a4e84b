// qmail-send bounce (qmail has no delivery-status part at all): "<rcpt>:" on its own line, then
// the reason until a blank line (qmail-send.c bounce text; corpus lhost-qmail-*).
import type { ProseLayout, RawRecipient } from '../types.js';

const INTRO = /qmail-send program|This is the qmail|\bqmail\b[^\n]*\bI'm afraid I wasn't able to deliver/i;
const ENTRY = /^<([^<>\s]+)>:[ \t]*$/;
// qmail's own sentences around the remote reply; they are not part of it.
const NOISE = /\s*(Giving up on \S+?\.?|I'm not going to try again; this message has been in the queue too long\.?|\(Other MXes tried:[^()]*\))\s*$/i;

export const qmailLayout: ProseLayout = {
  generator: 'qmail',
  needs: { text: ['qmail-send program', 'this is the qmail', "i'm afraid i wasn't able to deliver"] },
  read(_view, text) {
    if (!INTRO.test(text) && !/I'm afraid I wasn't able to deliver your message/i.test(text)) return [];
    // "This is a permanent error; I've given up." vs. the temporary-failure warning.
    const action = /This is a permanent error|I've given up/i.test(text) ? 'failed' : 'delayed';
    const out: RawRecipient[] = [];
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const m = ENTRY.exec(lines[i]!.trimEnd());
      if (!m) continue;
      const reason: string[] = [];
      while (i + 1 < lines.length && lines[i + 1]!.trim() !== '' && !ENTRY.test(lines[i + 1]!.trimEnd())) {
        reason.push(lines[++i]!.trim());
      }
      let text = reason.join(' ');
      for (let k = 0; k < 3 && NOISE.test(text); k++) text = text.replace(NOISE, '');
      out.push({ recipient: m[1]!, action, diagnosticCode: text, fields: {} });
    }
    return out;
  },
};
