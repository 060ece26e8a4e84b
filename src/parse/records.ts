// One RecipientRecord from one raw recipient, whatever found it (delivery-status part or a
// prose layout), so the precedence rules live in exactly one place:
//   status:  enhanced code of the innermost reply > any in the wrapper > `Status:` > reply class
//   stage:   stated by the layout > reply text > prose/transcript > post_accept for NDRs > unknown
//   host:    Remote-MTA > prose ("host X[ip] said", "while talking to X")
import { ACTIONS, isOneOf } from '../domain/vocab.js';
import type { Action, Stage } from '../domain/vocab.js';
import type { RecipientRecord } from '../domain/report.js';
import { normaliseAddress } from './address.js';
import { analyseDiagnostic, enhancedStatus, squash } from './diagnostic.js';
import { proseFacts } from './prose.js';
import type { Prose } from './prose.js';
import { stageFromText } from './stage.js';
import type { ProseFacts, RawRecipient } from './types.js';

export interface RecordContext {
  /** The notification (prose.ts), for host/stage/reply fallbacks. */
  prose: Prose;
  /** The report was written by the receiving side after it accepted (Microsoft NDR). */
  postAccept: boolean;
  notes: string[];
}

// Spellings seen from non-conforming gateways; anything else goes through the status class.
// A Map, not an object literal: "Action: constructor" must not find Object's constructor.
const ACTION_SYNONYMS = new Map<string, Action>([
  ['failure', 'failed'], ['fail', 'failed'], ['bounced', 'failed'],
  ['delay', 'delayed'], ['deferred', 'delayed'],
  ['success', 'delivered'], ['deliver', 'delivered'],
]);

export function buildRecord(raw: RawRecipient, ctx: RecordContext): RecipientRecord | undefined {
  const recipient = normaliseAddress(raw.recipient);
  if (!recipient) {
    ctx.notes.push(`recipient "${raw.recipient.slice(0, 80)}" is not an address; skipped`);
    return undefined;
  }
  // What the notification says about the recipient, each fact read only when a field leaves a
  // gap: the searches cost more than the rest of the record.
  const prose = proseFacts(ctx.prose, recipient);
  const written = analyseDiagnostic(raw.diagnosticCode ?? '');
  let diag = written;
  // The prose reply stands in when the field says nothing ("Diagnostic-Code: SMTP;" in Sendmail
  // delay notices) or carries no code at all ("X-Unix; 255" next to the transcript's
  // "554 5.3.0 unknown mailer error 255").
  const reply = !diag.full || (!diag.status && !diag.replyCode) ? prose.reply : undefined;
  if (reply) {
    const fromProse = analyseDiagnostic(reply);
    if (!diag.full || fromProse.status || fromProse.replyCode) diag = { ...fromProse, ...(diag.type ? { type: diag.type } : {}) };
  }
  const dsnStatus = raw.status?.trim() || undefined;
  // Nothing at all for this recipient: a comment in the Status field ("4.0.0 (example.net: host
  // name lookup failure)", RFC 5322 comment syntax), else what the notification says for the
  // whole message.
  const comment = dsnStatus ? /^\S+\s*\((.+)\)\s*$/.exec(dsnStatus)?.[1] : undefined;
  const fallback = diag.full ? undefined : comment ?? ctx.prose.summary;
  if (fallback) diag = { ...analyseDiagnostic(fallback), ...(diag.type ? { type: diag.type } : {}) };

  // RFC 3464 §2.3.4 Status vs. the reply itself: MTAs write 5.0.0 for a "550 5.7.1" reply.
  let status = diag.status ?? enhancedStatus(dsnStatus);
  if (!status && diag.replyCode) status = `${diag.replyCode[0]}.0.0`;
  const action = normaliseAction(raw.action, status, recipient, ctx.notes);
  status ??= raw.noStatus ? '' : action === 'failed' ? '5.0.0' : action === 'delayed' ? '4.0.0' : '2.0.0';

  const record: RecipientRecord = {
    recipient,
    action,
    status,
    diagnostic: diag.innermost,
    stage: stageOf(raw, diag.full, prose, ctx.postAccept),
    fields: raw.fields,
  };
  const original = normaliseAddress(raw.originalRecipient);
  if (original) record.originalRecipient = original;
  if (dsnStatus) record.dsnStatus = dsnStatus;
  if (diag.replyCode) record.replyCode = diag.replyCode;
  if (diag.type) record.diagnosticType = diag.type;
  if (written.full) record.rawDiagnostic = written.full;
  const host = hostName(raw.remoteMta) ?? prose.remoteMta;
  if (host) record.remoteMta = host;
  if (raw.lastAttemptDate) record.lastAttemptDate = raw.lastAttemptDate;
  return record;
}

/** RFC 3464 §2.3.3 action, lower-cased; unknown or missing values follow the status class. */
export function normaliseAction(value: string | undefined, status: string | undefined, who: string, notes: string[]): Action {
  const v = (value ?? '').trim().toLowerCase().replace(/\s*[(;].*$/, '');
  if (isOneOf(ACTIONS, v)) return v;
  const synonym = ACTION_SYNONYMS.get(v);
  if (synonym) return synonym;
  const cls = status?.[0];
  const chosen: Action = cls === '5' ? 'failed' : cls === '2' ? 'delivered' : 'delayed';
  notes.push(`${who}: Action "${value ?? ''}" ${value === undefined ? 'missing' : 'unknown'}; treated as ${chosen} (status ${status ?? 'unknown'})`);
  return chosen;
}

function stageOf(raw: RawRecipient, diagnostic: string, prose: ProseFacts, postAccept: boolean): Stage {
  return raw.stage || stageFromText(diagnostic) || prose.stage || (postAccept ? 'post_accept' : 'unknown');
}

/** "mx.example.com." / "mx.example.com [192.0.2.1]" / "[192.0.2.1]" → host name, lower-case. */
export function hostName(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const first = squash(value).split(' ')[0]?.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return first ? first.toLowerCase() : undefined;
}
