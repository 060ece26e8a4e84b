// The machine-readable heart of a DSN: the message/delivery-status body (RFC 3464 §2.1) is one
// group of per-message fields followed by one group per recipient, separated by blank lines.
// Real MTAs bend this (missing blank lines, per-message fields inside a recipient group, a
// stray blank line inside a recipient), so grouping is done by field meaning, not only by blank
// lines.
import { fieldRecord, parseFieldGroups, stripTypePrefix } from './fields.js';
import type { Field, RawRecipient } from './types.js';

/** RFC 3464 §2.2 per-message fields, plus Postfix's own (postconf(5) "X-Postfix-*"). */
const PER_MESSAGE = new Set([
  'original-envelope-id', 'reporting-mta', 'dsn-gateway', 'received-from-mta', 'arrival-date',
  'x-postfix-queue-id', 'x-postfix-sender',
]);

/** Fields that start a recipient (RFC 3464 §2.3: Original-Recipient is optional, Final required). */
const RECIPIENT_KEYS = new Set(['final-recipient', 'original-recipient', 'x-actual-recipient']);

export interface DeliveryStatus {
  messageFields: Record<string, string>;
  recipients: RawRecipient[];
}

/** Parse a delivery-status body. Never throws; a body without recipients yields none. */
export function parseDeliveryStatus(body: string, notes: string[]): DeliveryStatus {
  const messageList: Field[] = [];
  const recipientGroups: Field[][] = [];
  for (const group of parseFieldGroups(body)) {
    const isRecipient = group.some(f => RECIPIENT_KEYS.has(f.name));
    if (!isRecipient) {
      // Before any recipient: per-message fields. After: a recipient group broken by a stray
      // blank line (e.g. an empty line inside a long Diagnostic-Code), so it joins the last one.
      const last = recipientGroups[recipientGroups.length - 1];
      const into = last && !group.some(f => PER_MESSAGE.has(f.name)) ? last : messageList;
      for (const f of group) into.push(f); // no spread: a hostile group may hold 10^5 fields
      continue;
    }
    for (const split of splitRecipients(group)) {
      // Per-message fields written without the separating blank line (seen from gateways).
      const own: Field[] = [];
      for (const f of split) (PER_MESSAGE.has(f.name) ? messageList : own).push(f);
      recipientGroups.push(own);
    }
  }
  const recipients: RawRecipient[] = [];
  for (const group of recipientGroups) {
    const r = toRawRecipient(fieldRecord(group));
    if (r) recipients.push(r);
    else notes.push('delivery-status recipient group without Final-Recipient/Original-Recipient skipped');
  }
  return { messageFields: fieldRecord(messageList), recipients };
}

/**
 * Split a group that holds several recipients without blank lines between them: a field name
 * seen again in the same group starts the next recipient.
 */
function splitRecipients(group: Field[]): Field[][] {
  const out: Field[][] = [];
  let current: Field[] = [];
  let seen = new Set<string>();
  let named = false; // current holds a recipient field (a flag, not a scan: groups can be huge)
  for (const f of group) {
    if (named && seen.has(f.name)) {
      out.push(current);
      current = [];
      seen = new Set();
      named = false;
    }
    current.push(f);
    seen.add(f.name);
    named ||= RECIPIENT_KEYS.has(f.name);
  }
  if (current.length) out.push(current);
  return out;
}

function toRawRecipient(fields: Record<string, string>): RawRecipient | undefined {
  const final = fields['final-recipient'] || fields['x-actual-recipient'] || fields['original-recipient'];
  if (!final) return undefined;
  const r: RawRecipient = { recipient: stripTypePrefix(final).value, fields };
  if (fields['original-recipient']) r.originalRecipient = stripTypePrefix(fields['original-recipient']).value;
  if (fields['action'] !== undefined) r.action = fields['action'];
  if (fields['status'] !== undefined) r.status = fields['status'];
  if (fields['diagnostic-code']) r.diagnosticCode = fields['diagnostic-code'];
  if (fields['remote-mta']) r.remoteMta = stripTypePrefix(fields['remote-mta']).value;
  if (fields['last-attempt-date']) r.lastAttemptDate = fields['last-attempt-date'];
  return r;
}

/** The `Feedback-Type` and reported addresses of an ARF report (RFC 5965 §3.1, §3.2). */
export function parseFeedbackReport(body: string): Record<string, string> {
  return fieldRecord(parseFieldGroups(body).flat());
}
