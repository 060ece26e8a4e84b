// Postfix bounce without a delivery-status part (old Postfix, or sites that strip it): one
// paragraph per recipient, "<rcpt>: text", continuation lines indented (bounce(5) default
// template; corpus lhost-postfix-34).
import type { ProseLayout, RawRecipient } from '../types.js';

const INTRO = /This is the (mail system|Postfix program) at host /i;
// "<rcpt>: reason" or "<rcpt> (expanded from <alias>): reason".
const ENTRY = /^<([^<>\s]+)>(?: \(expanded from <[^<>]*>\))?:[ \t]*(.*)$/;

export const postfixLayout: ProseLayout = {
  generator: 'postfix',
  read(_view, text) {
    if (!INTRO.test(text)) return [];
    // bounce(5) delay template: "THIS IS A WARNING ONLY. YOU DO NOT NEED TO RESEND".
    const action = /THIS IS A WARNING ONLY/i.test(text) ? 'delayed' : 'failed';
    const out: RawRecipient[] = [];
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const m = ENTRY.exec(lines[i]!);
      if (!m) continue;
      const reason = [m[2]!];
      while (i + 1 < lines.length && /^[ \t]+\S/.test(lines[i + 1]!)) reason.push(lines[++i]!.trim());
      out.push({ recipient: m[1]!, action, diagnosticCode: reason.join(' '), fields: {} });
    }
    return out;
  },
};
