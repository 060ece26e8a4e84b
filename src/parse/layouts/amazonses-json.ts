// Amazon SES event notifications delivered by e-mail (an SNS topic subscribed by address, or an
// SES notification e-mail): the body is JSON, either the SES event itself or the SNS envelope
// with the event as a string in "Message". notificationType Bounce / Delivery / Complaint
// (https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html). Long lines arrive
// folded ("\n " inserted), which is undone before parsing (corpus lhost-amazonses-09..13).
import type { MessageView, ProseLayout, RawRecipient } from '../types.js';
import { rawRecipient } from './lib.js';

const MAX_JSON = 1024 * 1024;
const FROM = /@(sns\.amazonaws\.com|amazonses\.com)\b/i;

export interface SesNotification {
  type: 'bounce' | 'delivery' | 'complaint';
  recipients: RawRecipient[];
  feedbackType?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The SES event in the message body, or undefined when the body is not one. */
export function sesNotification(view: MessageView): SesNotification | undefined {
  const from = view.header.find(f => f.name === 'from')?.value ?? '';
  if (!FROM.test(from)) return undefined;
  // The body is the JSON document itself; anything else is not a notification.
  if (!/^\s*\{/.test(view.text)) return undefined;
  const start = view.text.indexOf('{');
  const end = view.text.lastIndexOf('}');
  if (start === -1 || end <= start || end - start > MAX_JSON) return undefined;
  let event = parse(view.text.slice(start, end + 1).replace(/\r?\n[ \t]/g, ''));
  // SNS envelope: {"Type":"Notification","Message":"{...}"}.
  if (event && typeof event['Message'] === 'string') event = parse(event['Message']);
  if (!event) return undefined;
  const type = str(event['notificationType'] ?? event['eventType'])?.toLowerCase();
  if (type === 'bounce') return bounce(event['bounce']);
  if (type === 'delivery') return delivery(event['delivery']);
  if (type === 'complaint') return complaint(event['complaint']);
  return undefined;
}

export const amazonsesJsonLayout: ProseLayout = {
  generator: 'amazonses',
  needs: { from: ['@sns.amazonaws.com', '@amazonses.com'] },
  read(view) {
    const n = sesNotification(view);
    return n && n.type !== 'complaint' ? n.recipients : [];
  },
};

function parse(text: string): Json | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function bounce(b: unknown): SesNotification | undefined {
  if (!isObject(b)) return undefined;
  // bounceType: Permanent / Transient / Undetermined.
  const fallback = str(b['bounceType']) === 'Transient' ? 'delayed' : 'failed';
  const host = str(b['reportingMTA'])?.replace(/^dsn;\s*/i, '');
  const recipients: RawRecipient[] = [];
  for (const r of list(b['bouncedRecipients'])) {
    if (!isObject(r)) continue;
    const address = str(r['emailAddress']);
    if (!address) continue;
    const raw = rawRecipient(address, str(r['action']) ?? fallback, str(r['diagnosticCode']), { status: str(r['status']) });
    if (host) raw.fields['reporting-mta'] = host;
    raw.fields['x-ses-bounce-type'] = `${str(b['bounceType']) ?? ''}/${str(b['bounceSubType']) ?? ''}`;
    recipients.push(raw);
  }
  return recipients.length ? { type: 'bounce', recipients } : undefined;
}

function delivery(d: unknown): SesNotification | undefined {
  if (!isObject(d)) return undefined;
  const reply = str(d['smtpResponse']);
  const recipients = list(d['recipients'])
    .map(str)
    .filter((a): a is string => a !== undefined)
    .map(a => rawRecipient(a, 'delivered', reply, { stage: 'post_accept', remoteMta: str(d['remoteMtaIp']) }));
  return recipients.length ? { type: 'delivery', recipients } : undefined;
}

function complaint(c: unknown): SesNotification | undefined {
  if (!isObject(c)) return undefined;
  const feedbackType = str(c['complaintFeedbackType'])?.toLowerCase();
  const recipients: RawRecipient[] = [];
  for (const r of list(c['complainedRecipients'])) {
    const address = isObject(r) ? str(r['emailAddress']) : undefined;
    if (!address) continue;
    const raw = rawRecipient(address, 'delivered', `feedback-type: ${feedbackType ?? 'unknown'}`, { stage: 'post_accept' });
    raw.noStatus = true;
    recipients.push(raw);
  }
  const out: SesNotification = { type: 'complaint', recipients };
  if (feedbackType) out.feedbackType = feedbackType;
  return out;
}
