// Complaints and opt-outs that do not come as an RFC 5965 feedback report (kinds.ts reads
// those): Microsoft's JMRP (Hotmail/Outlook.com send the complained message as a plain
// message/rfc822 attachment carrying X-HmXmrOriginalRecipient), Apple Mail's one-click
// unsubscribe (an e-mail from the subscriber with X-Apple-Unsubscribe: true, RFC 2369 mailto
// List-Unsubscribe), and Amazon SES complaint notifications. Each becomes the same Feedback
// value, so the report is kind `arf` with one record per complaining address.
import { fieldValue, parseHeaderBlock } from './fields.js';
import type { Feedback } from './kinds.js';
import { sesNotification } from './layouts/amazonses-json.js';
import type { MessageView, RawRecipient } from './types.js';
import { normaliseAddress } from './address.js';

/** A complaint or opt-out in one of the non-ARF shapes, or undefined. */
export function otherFeedback(view: MessageView): Feedback | undefined {
  return jmrp(view) ?? appleUnsubscribe(view) ?? sesComplaint(view);
}

/** One complaint record: the message was delivered, the recipient then complained. */
export function complaintRecipient(address: string, feedbackType: string | undefined, fields: Record<string, string>): RawRecipient {
  return {
    recipient: address,
    action: 'delivered',
    diagnosticCode: `feedback-type: ${feedbackType ?? 'unknown'}`,
    stage: 'post_accept',
    noStatus: true,
    fields,
  };
}

// Microsoft JMRP: "complaint about message from <ip>", the original attached as message/rfc822.
function jmrp(view: MessageView): Feedback | undefined {
  for (const part of view.parts) {
    if (part.contentType !== 'message/rfc822') continue;
    const head = part.content.toString('utf8', 0, Math.min(part.content.length, 64 * 1024));
    if (!/^X-HmXmrOriginalRecipient:/im.test(head)) continue;
    const fields = parseHeaderBlock(head);
    const rcpt = normaliseAddress(fieldValue(fields, 'x-hmxmroriginalrecipient'));
    if (!rcpt.includes('@')) return undefined;
    const reporter = fieldValue(fields, 'x-reporter-ip');
    return { feedbackType: 'abuse', recipients: [complaintRecipient(rcpt, 'abuse', reporter ? { 'x-reporter-ip': reporter } : {})] };
  }
  return undefined;
}

// Apple Mail: "Apple Mail sent this email to unsubscribe from the message ...".
function appleUnsubscribe(view: MessageView): Feedback | undefined {
  if (!/^true$/i.test(fieldValue(view.header, 'x-apple-unsubscribe') ?? '')) return undefined;
  const from = normaliseAddress(fieldValue(view.header, 'from'));
  if (!from.includes('@')) return undefined;
  return { feedbackType: 'opt-out', recipients: [complaintRecipient(from, 'opt-out', { 'x-apple-unsubscribe': 'true' })] };
}

function sesComplaint(view: MessageView): Feedback | undefined {
  const n = sesNotification(view);
  if (n?.type !== 'complaint') return undefined;
  const out: Feedback = { recipients: n.recipients, generator: 'amazonses' };
  if (n.feedbackType) out.feedbackType = n.feedbackType;
  return out;
}
