// What the parse stage hands to classify: one value per message, with everything a rule or a
// policy might need, so that later stages never look at the raw bytes again.
import type { Action, Stage } from './vocab.js';

/** The kind of message we received (metrics label `kind`; only `dsn`/`ndr` carry failures). */
export type ReportKind = 'dsn' | 'ndr' | 'arf' | 'autoreply' | 'not_bounce';

/** One recipient record of a DSN (RFC 3464 §2.3), after unfolding and normalising. */
export interface RecipientRecord {
  /** Final-Recipient address (lower-cased domain, local part as given), without `rfc822;`. */
  recipient: string;
  originalRecipient?: string;
  action: Action;
  /** The enhanced status we believe: from the (innermost) reply text first, else `Status:`. */
  status: string;
  /** The `Status:` field as written, when present (MTAs write 5.0.0 for a 550 5.7.1 reply). */
  dsnStatus?: string;
  /** Three-digit SMTP reply code from the diagnostic text, when present. */
  replyCode?: string;
  /** Diagnostic-Code type (`smtp`, `x-postfix`, ...), lower-case. */
  diagnosticType?: string;
  /** The unfolded reply text we classify on: the innermost reply of a wrapped NDR. */
  diagnostic: string;
  /** The whole Diagnostic-Code value as written (unfolded), for evidence. */
  rawDiagnostic?: string;
  /** Remote-MTA host name (no `dns;`), or the host named in the prose ("host X said"). */
  remoteMta?: string;
  stage: Stage;
  lastAttemptDate?: string;
  /** Every per-recipient field as written, keys lower-cased (includes X-Postfix-*, X-*). */
  fields: Record<string, string>;
}

/** Facts from the returned original message (or its headers) that identify what bounced. */
export interface OriginalMessage {
  messageId?: string;
  from?: string;
  to?: string;
  subject?: string;
  date?: string;
  listId?: string;
  feedbackId?: string;
  /** Value of the configured stream header (default `X-Stream`), when present. */
  stream?: string;
  /** Envelope/return-path of the original, when the report gives it (X-Postfix-Sender etc.). */
  envelopeFrom?: string;
}

export interface BounceReport {
  kind: ReportKind;
  /** False when the message holds nothing to act on; `why` says what it is instead. */
  bounce: boolean;
  why?: string;
  /** Per-message DSN fields (RFC 3464 §2.2), keys lower-cased. */
  messageFields: Record<string, string>;
  reportingMta?: string;
  arrivalDate?: string;
  /** Who wrote the report, as far as we can tell (`postfix`, `sendmail`, `exim`, `microsoft`...). */
  generator?: string;
  /** Headers of the report message itself. */
  header: { messageId?: string; from?: string; subject?: string; date?: string };
  records: RecipientRecord[];
  original: OriginalMessage;
  /** ARF feedback type (`abuse`, ...) for kind `arf`. */
  feedbackType?: string;
  /** Anomalies met while parsing (values, not exceptions): shown by --explain, logged. */
  notes: string[];
}

/** Options the parse stage takes from config. */
export interface ParseOptions {
  /** Header of the original message that names the sending stream (case-insensitive). */
  streamHeader: string;
}
