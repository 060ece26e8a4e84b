// Postfix bounce without a delivery-status part (old Postfix, or sites that strip it): one
// paragraph per recipient, "<rcpt>: text", continuation lines indented (bounce(5) default
// template; corpus lhost-postfix-34). Two more Postfix notices name their recipient elsewhere:
// "--- Delivery report unavailable ---" (bounce(8) lost its log: only the returned message's
// To is left, lhost-postfix-64) and the smtpd(8) "errors from <client>" transcript sent to the
// postmaster (notify_classes; the RCPT TO and the failing reply are in the transcript,
// lhost-postfix-75).
import { fieldValue } from '../fields.js';
import { originalHeaderFields } from '../original.js';
import { stageFromTranscript } from '../stage.js';
import type { MessageView, ProseLayout, RawRecipient } from '../types.js';
import { rawRecipient } from './lib.js';

const INTRO = /This is the (mail system|Postfix program) at host /i;
// "<rcpt>: reason" or "<rcpt> (expanded from <alias>): reason".
const ENTRY = /^<([^<>\s]+)>(?: \(expanded from <[^<>]*>\))?:[ \t]*(.*)$/;
const UNAVAILABLE = /^\s*-{3} ?Delivery report unavailable ?-{3}\s*$/im;
const SMTPD_SUBJECT = /^Postfix SMTP server: errors from /i;
const RCPT_TO = /^\s*In:\s+RCPT TO:\s*<([^<>\s]+@[^<>\s]+)>/gim;
const ERROR_REPLY = /^\s*Out:\s+([45]\d\d\b.*)$/gim;

export const postfixLayout: ProseLayout = {
  generator: 'postfix',
  needs: {
    subject: ['postfix smtp server: errors from '],
    text: ['this is the mail system at host ', 'this is the postfix program at host '],
  },
  read(view, text) {
    if (SMTPD_SUBJECT.test(view.subject ?? '')) return smtpdErrors(text);
    if (!INTRO.test(text)) return [];
    if (UNAVAILABLE.test(text)) return unavailable(view);
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

/**
 * The report lost its recipients; the returned message still names where it was going. Only a
 * single To address is taken (with several, which one failed is unknown), and the record says
 * where it came from.
 */
function unavailable(view: MessageView): RawRecipient[] {
  const to = fieldValue(originalHeaderFields(view), 'to') ?? '';
  const addresses = to.match(/[^\s<>(),;:"']+@[^\s<>(),;:"']+/g) ?? [];
  if (new Set(addresses.map(a => a.toLowerCase())).size !== 1) return [];
  const r = rawRecipient(addresses[0]!, 'failed');
  r.fields['x-recipient-from'] = 'returned message To (delivery report unavailable)';
  return [r];
}

/** smtpd's transcript: every RCPT TO, and the last 4xx/5xx reply the client was given. */
function smtpdErrors(text: string): RawRecipient[] {
  const replies = [...text.matchAll(ERROR_REPLY)].map(m => m[1]!.trim());
  const reply = replies[replies.length - 1];
  if (!reply) return [];
  const stage = stageFromTranscript(text);
  const out: RawRecipient[] = [];
  for (const m of text.matchAll(RCPT_TO)) {
    out.push(rawRecipient(m[1]!, reply.startsWith('4') ? 'delayed' : 'failed', reply, { stage }));
  }
  return out;
}
