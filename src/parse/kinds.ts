// Messages that are not delivery failures but arrive at the bounce address all the same:
// complaint feedback (ARF, RFC 5965) and auto-replies (RFC 3834). Recognising them keeps them
// from being mistaken for bounces, and lets later stages treat complaints on their own terms.
// decideKind() gives every report its kind, bounce flag and why, from what parse found.
import type { BounceReport, RecipientRecord } from '../domain/report.js';
import { looksLikeAddress, normaliseAddress } from './address.js';
import { fieldValue } from './fields.js';
import { complaintRecipient } from './feedback.js';
import { parseFeedbackReport } from './rfc3464.js';
import type { MessageView, RawRecipient } from './types.js';

export interface Feedback {
  feedbackType?: string;
  recipients: RawRecipient[];
  /** Who wrote the complaint, when its shape says so (Amazon SES notifications). */
  generator?: string;
}

/**
 * ARF report: multipart/report; report-type=feedback-report, or any message/feedback-report part.
 * `originalTo` gives the returned message's To, asked only when the report names nobody.
 */
export function readFeedback(view: MessageView, originalTo: () => string | undefined): Feedback | undefined {
  const part = view.parts.find(p => p.contentType === 'message/feedback-report');
  if (!part && view.reportType !== 'feedback-report') return undefined;
  const body = part ? part.content.toString('utf8') : '';
  const fields = parseFeedbackReport(body);
  const out: Feedback = { recipients: [] };
  const type = fields['feedback-type']?.toLowerCase();
  if (type) out.feedbackType = type;
  // RFC 5965 §3.2: Original-Rcpt-To may repeat (one per recipient); Removal-Recipient is the
  // opt-out variant (RFC 6650 §7 lists both in use). Else the returned message's To.
  const all = body.match(/^(?:Original-Rcpt-To|Removal-Recipient)[ \t]*:[ \t]*(.+)$/gim) ?? [];
  const listed = all.map(l => l.replace(/^[^:]*:\s*/, '').trim()).filter(Boolean);
  const to = listed.length ? undefined : originalTo();
  const addresses = listed.length ? listed : to ? to.split(/,\s*/).filter(a => looksLikeAddress(a)) : [];
  for (const a of addresses) out.recipients.push(complaintRecipient(a, type, fields));
  return out;
}

// Subjects of auto-replies in the languages seen in the corpus and in Exchange/Gmail/Apple.
const AUTOREPLY_SUBJECT =
  /^\s*(auto(matic|matische)?[ _-]?(reply|response|antwort|ntwort)|out of (the )?office|away (from|until)|vacation|absence|abwesen|r[ée]ponse automatique|respuesta autom[aá]tica|risposta automatica|自動応答|不在)/i;

/** RFC 3834 auto-reply (vacation, out-of-office, autoresponder). */
export function isAutoReply(view: MessageView): boolean {
  const submitted = fieldValue(view.header, 'auto-submitted')?.toLowerCase() ?? '';
  if (submitted.startsWith('auto-replied')) return true;
  if (fieldValue(view.header, 'x-autoreply') !== undefined || fieldValue(view.header, 'x-autorespond') !== undefined) return true;
  if (/^auto_reply$/i.test(fieldValue(view.header, 'precedence') ?? '')) return true;
  if (/vacation/i.test(fieldValue(view.header, 'x-apple-action') ?? '')) return true;
  return AUTOREPLY_SUBJECT.test(view.subject ?? '');
}

/** Subject/From of a bounce, used only to give a clearer `why` when no recipient was found. */
export function looksLikeBounce(view: MessageView): boolean {
  const subject = view.subject ?? '';
  const from = fieldValue(view.header, 'from') ?? '';
  return (
    /undeliver|returned mail|delivery (status|failure|failed|notification)|failure notice|bounce|non[- ]?delivery|mail delivery|could not be delivered/i.test(subject) ||
    /mailer-daemon|postmaster|mail delivery (system|subsystem)/i.test(from)
  );
}

/** Set kind, bounce and why from what was found. */
export function decideKind(report: BounceReport, view: MessageView, feedback: Feedback | undefined): BounceReport {
  if (feedback) {
    report.kind = 'arf';
    if (feedback.feedbackType) report.feedbackType = feedback.feedbackType;
    report.bounce = report.records.length > 0;
    if (!report.bounce) report.why = 'feedback report (ARF)';
    return report;
  }
  if (report.records.length) {
    report.kind = report.generator === 'microsoft' ? 'ndr' : 'dsn';
    report.bounce = report.records.some(r => r.action === 'failed');
    if (!report.bounce) report.why = 'delivery report without a failed recipient (delayed/delivered/relayed/expanded only)';
    return report;
  }
  if (!view.header.length) {
    report.why = 'not an e-mail message: no header section';
  } else if (looksLikeBounce(view)) {
    report.why = 'looks like a bounce (subject/sender) but no recipient could be read from it';
  } else if (isAutoReply(view)) {
    report.kind = 'autoreply';
    report.why = 'auto-reply (RFC 3834)';
    const record = autoReplyRecord(view);
    if (record) report.records.push(record);
  } else {
    report.why = 'no delivery-status part, no known bounce layout, not an auto-reply';
  }
  return report;
}

/**
 * The address an auto-reply speaks for (its From, RFC 3834 §3.1.1 "the recipient of the
 * subject message"), as one `delivered` record: the message reached a mailbox, whose owner is
 * away. No status code applies; the subject (else the first line) is what it said.
 */
function autoReplyRecord(view: MessageView): RecipientRecord | undefined {
  const recipient = normaliseAddress(fieldValue(view.header, 'from'));
  if (!recipient.includes('@')) return undefined;
  const said = view.subject?.trim() || view.text.split(/\r?\n/).find(l => l.trim())?.trim() || '';
  return { recipient, action: 'delivered', status: '', diagnostic: said.replace(/\s+/g, ' ').slice(0, 1000), stage: 'post_accept', fields: {} };
}
