// Internal values passed between the parse modules. Kept apart from src/domain/report.ts
// because they describe the message *before* normalisation (raw field values, prose blocks),
// which no later stage should ever see.
import type { Stage } from '../domain/vocab.js';

/** One header or DSN field: name lower-cased, value unfolded and trimmed. */
export interface Field {
  name: string;
  value: string;
}

/** A leaf MIME part we read ourselves (delivery-status, returned message, ARF report...). */
export interface MimePart {
  /** Lower-cased `type/subtype`. */
  contentType: string;
  /** Decoded body (transfer encoding undone by mailparser). */
  content: Buffer;
}

/** The report message as the parse stage sees it after MIME decoding. */
export interface MessageView {
  /** Top-level header fields in order. */
  header: Field[];
  /** Decoded `Subject` (RFC 2047 undone), when present. */
  subject?: string;
  /** Lower-cased top-level content type, `text/plain` when absent. */
  contentType: string;
  /** `report-type` parameter of a top-level multipart/report, lower-cased. */
  reportType?: string;
  /** Every human-readable text part joined (HTML reduced to text when there is no plain part). */
  text: string;
  /** Non-text leaf parts, in message order. */
  parts: MimePart[];
}

/**
 * One recipient as found by rfc3464.ts or by a prose layout, before normalisation: values as
 * written, so records.ts applies the same precedence rules whatever the source.
 */
export interface RawRecipient {
  recipient: string;
  originalRecipient?: string;
  action?: string;
  /** `Status:` value as written. */
  status?: string;
  /** `Diagnostic-Code:` value as written (`type; text`), or the reply text found in prose. */
  diagnosticCode?: string;
  remoteMta?: string;
  lastAttemptDate?: string;
  /** The SMTP stage when the layout states it outright (e.g. qmail "sender was rejected"). */
  stage?: Stage;
  /** Every per-recipient field, keys lower-cased. */
  fields: Record<string, string>;
  /**
   * No status code applies (complaints, auto-replies): nobody wrote one and the record carries
   * no failure, so the record's status stays '' instead of a code derived from the action.
   */
  noStatus?: boolean;
}

/** Facts the human-readable part gives about one recipient (prose.ts). */
export interface ProseFacts {
  remoteMta?: string;
  stage?: Stage;
  /** The reply text the prose quotes for this recipient, unfolded. */
  reply?: string;
}

/**
 * A prose layout: one MTA's human-readable bounce, read when there is no delivery-status part.
 * One file per MTA under src/parse/layouts/ (DESIGN.md: "one file per MTA quirk set").
 */
export interface ProseLayout {
  /** Generator name reported when this layout reads the message ('' = keep what was detected). */
  generator: string;
  /** The layout's own name in notes, when several share a generator (Exchange 2003 vs 2007+). */
  name?: string;
  /**
   * What read() cannot find a recipient without: layout-prefilter.ts skips the layout when none
   * of these holds. Absent: the layout is always read.
   */
  needs?: LayoutNeeds;
  /** Recipients found; empty when the layout does not apply. `text` is the notification text. */
  read(view: MessageView, text: string): RawRecipient[];
}

/**
 * A layout's necessary condition, any one of: a phrase in the lower-cased notification text,
 * a header field present (lower-case name), a phrase in the lower-cased first From, or the
 * lower-cased Subject starting with a phrase. Each must follow from the checks read() makes
 * before it can return anything; test/parse/layout-prefilter.test.ts holds them to that.
 */
export interface LayoutNeeds {
  text?: readonly string[];
  header?: readonly string[];
  from?: readonly string[];
  subject?: readonly string[];
}
