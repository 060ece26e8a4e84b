// Facts about one recipient from the human-readable notification: the rejecting host and the
// SMTP stage, which the delivery-status part often leaves out (Postfix writes the stage only in
// prose, Sendmail only in its transcript), and the reply itself for prose-only bounces.
// Patterns are the layouts of the MTAs' own templates (Postfix bounce(5) defaults, Sendmail
// savemail.c, Exim's "SMTP error from remote mail server", qmail-send's bounce text).
import { squash } from './diagnostic.js';
import { stageFromText, stageFromTranscript } from './stage.js';
import type { ProseFacts } from './types.js';

/** The notification is at the top; past this we are reading the returned message. */
export const MAX_PROSE = 64 * 1024;

// Where the returned copy starts in a single-part bounce (Exim, qmail, Sendmail v5, Courier...).
// Only the phrase is matched; the line around it is found with indexOf (a "^.*(...).*$" pattern
// retries every position of a long line, which is quadratic).
const COPY_MARKER =
  /a copy of (the|your) (original )?message|original message follows|original message headers|the original message (is|was) (attached|included)|(?<!-)-{3,} ?original message ?-{3,}|message headers follow|unsent message follows/gi;

/**
 * The notification part of a text: capped, and cut before an inline copy of the original. A
 * marker before any address is an intro sentence ("a copy of the message is attached"), not
 * the start of the copy, so it does not cut.
 */
export function notificationText(text: string): string {
  const head = text.length > MAX_PROSE ? text.slice(0, MAX_PROSE) : text;
  const firstAt = head.indexOf('@');
  if (firstAt === -1) return head;
  COPY_MARKER.lastIndex = 0;
  for (let m = COPY_MARKER.exec(head); m; m = COPY_MARKER.exec(head)) {
    const lineStart = head.lastIndexOf('\n', m.index) + 1;
    if (firstAt < lineStart) return head.slice(0, lineStart);
    // Continue after this line: the next marker is on a later one.
    const lineEnd = head.indexOf('\n', m.index);
    if (lineEnd === -1) break;
    COPY_MARKER.lastIndex = lineEnd;
  }
  return head;
}

/** The notification prepared once per message (a DSN may list thousands of recipients). */
export interface Prose {
  text: string;
  lower: string;
  /** Sendmail transcript sections, one per "... while talking to X.:" (or the whole transcript). */
  sections: string[];
  /** What the notification says for the whole message, when no recipient has its own words. */
  summary?: string;
}

export function prepareProse(text: string): Prose {
  const prose: Prose = { text, lower: text.toLowerCase(), sections: transcriptSections(text) };
  const summary = messageSummary(text);
  if (summary) prose.summary = summary;
  return prose;
}

// Gmail / Google Workspace: "** Address not found **", an explanation, and "The response (from
// the remote server) was:" followed by the remote's reply (corpus rhost-gsuite-*, rfc3464-65).
const GMAIL_HEADING = /^\*\* ?([^*\n]{3,60}?) ?\*\*\s*$/m;
const GMAIL_RESPONSE = /^The response (?:from the remote server )?was:\s*$/im;
const MAX_SUMMARY = 1000;

/**
 * The message-level reason of a notification whose delivery-status part leaves the diagnostic
 * empty: the quoted response when there is one, else the paragraph under the heading.
 */
function messageSummary(text: string): string | undefined {
  const heading = GMAIL_HEADING.exec(text);
  if (!heading) return undefined;
  const response = GMAIL_RESPONSE.exec(text);
  const from = response ? response.index + response[0].length : heading.index + heading[0].length;
  const para = firstParagraph(text.slice(from, from + 4 * MAX_SUMMARY));
  return para ? squash(para).slice(0, MAX_SUMMARY) : undefined;
}

function firstParagraph(text: string): string {
  const m = /\S[\s\S]*?(?=\n[ \t]*\n|$)/.exec(text);
  return m ? m[0] : '';
}

/**
 * The paragraph about one recipient: from the line naming it to the next blank line (Postfix,
 * qmail, Exim all write one paragraph per recipient), at most 25 lines.
 */
export function recipientBlock(prose: Prose, recipient: string): string | undefined {
  if (!recipient) return undefined;
  const { text, lower } = prose;
  const at = lower.indexOf(recipient.toLowerCase());
  if (at === -1) return undefined;
  // Line by line from the recipient's line: splitting the whole rest of the text would make a
  // report with thousands of recipients quadratic.
  let start = text.lastIndexOf('\n', at) + 1;
  const out: string[] = [];
  while (start <= text.length && out.length < 25) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    const line = text.slice(start, end).replace(/\r$/, '');
    if (out.length > 0 && line.trim() === '') break;
    out.push(line);
    if (nl === -1) break;
    start = nl + 1;
  }
  return out.join('\n');
}

// Sendmail names the host once per transcript section: "... while talking to X.:" (V5: "While").
const TRANSCRIPT_HOST = /^(?:\.\.\. )?while talking to ([A-Za-z0-9][A-Za-z0-9.-]*?)\.?:/i;

// Remote host as each MTA names it in the recipient's paragraph; group 1 is the host name.
const HOST_PATTERNS: readonly RegExp[] = [
  /\bhost ([A-Za-z0-9][A-Za-z0-9.-]*)\[[^\]]*\] said:/, // Postfix
  /\bconnect to ([A-Za-z0-9][A-Za-z0-9.-]*)\[[^\]]*\](?::\d+)?:/, // Postfix, connection failures
  /\bhost ([A-Za-z0-9][A-Za-z0-9.-]*) \[[0-9a-fA-F.:]+\]/, // Exim
  /\bConnected to ([A-Za-z0-9][A-Za-z0-9.-]*) but\b/, // qmail
  /\b([0-9]{1,3}(?:\.[0-9]{1,3}){3}) (?:does not like recipient|failed after I sent the message)/, // qmail
  /\bremote host ([A-Za-z0-9][A-Za-z0-9.-]*) said:/i, // qmail "most progress was ..."
];

// The quoted reply; group 1 starts with the reply code.
const REPLY_PATTERNS: readonly RegExp[] = [
  /\bsaid:\s*([245]\d\d\b[\s\S]*?)(?:\s*\(in reply to [^()]*\))?\s*$/i, // Postfix, qmail
  /\(reason:\s*([\s\S]*?)\)\s*$/i, // Sendmail
  /\[[0-9a-fA-F.:]+\](?::\d+)?:\s*([245]\d\d\b[\s\S]*)$/, // Exim "host X [ip]: 550 ..."
  /\b(?:after [^:]*:(?:<[^>]*>:?)?)\s*([245]\d\d\b[\s\S]*)$/i, // Exim, reply on the next line
  /^<?[^\s<>]+@[^\s<>]+?>?:\s*([245]\d\d[\s-][\s\S]*)$/, // "rcpt: 550 5.1.1 ..." (OpenSMTPD, MXLogic)
  /\b([245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b[\s\S]*)$/, // a reply with an enhanced code anywhere
  /^<?[^\s<>]+@[^\s<>]+?>?:\s*(\S[\s\S]*)$/, // last resort: "rcpt: No MX found for domain"
];

/** Facts about `recipient` from the notification (cut with notificationText, then prepared). */
export function proseFacts(prose: Prose, recipient: string): ProseFacts {
  const facts: ProseFacts = {};
  const block = recipientBlock(prose, recipient);
  if (block) {
    const flat = squash(block);
    const host = firstGroup(HOST_PATTERNS, flat);
    if (host) facts.remoteMta = host.toLowerCase();
    const stage = stageFromText(flat);
    if (stage) facts.stage = stage;
    const reply = firstGroup(REPLY_PATTERNS, flat);
    if (reply) facts.reply = reply.trim();
  }
  // Sendmail keeps host and stage in the transcript, away from the recipient list.
  const transcript = transcriptFor(prose.sections, recipient);
  if (transcript) {
    facts.remoteMta ??= TRANSCRIPT_HOST.exec(transcript)?.[1]?.toLowerCase();
    facts.stage ??= stageFromTranscript(transcript);
    facts.reply ??= transcriptReply(transcript, recipient);
    if (facts.remoteMta === undefined) delete facts.remoteMta;
    if (facts.stage === undefined) delete facts.stage;
    if (facts.reply === undefined) delete facts.reply;
  }
  return facts;
}

/** Sendmail transcript sections: "... while talking to X.:" up to the next one. */
function transcriptSections(text: string): string[] {
  let start = text.search(/^(?:\.\.\. )?while talking to /im);
  // Local failures have no "while talking to" line, only "550 5.1.2 <rcpt>... Host unknown".
  if (start === -1) start = text.search(/(?<!-)-{3,} ?Transcript of session follows ?-{3,}/i);
  if (start === -1) return [];
  return text.slice(start).split(/^(?=(?:\.\.\. )?while talking to )/im);
}

/** The transcript section that concerns this recipient; the only one when there is just one. */
function transcriptFor(sections: string[], recipient: string): string | undefined {
  if (sections.length <= 1) return sections[0];
  const lower = recipient.toLowerCase();
  return sections.find(s => s.toLowerCase().includes(lower)) ?? sections[0];
}

/**
 * The reply in a Sendmail transcript: the "550 5.1.2 <rcpt>... Host unknown" summary line for
 * this recipient, else the first "<<< 5xx" line (the remote's reply as received), else a local
 * failure line, else Sendmail's own uncoded line for the recipient ("<rcpt>... Deferred: Name
 * server: x: host name lookup failure").
 */
function transcriptReply(transcript: string, recipient: string): string | undefined {
  const lower = recipient.toLowerCase();
  let uncoded: string | undefined;
  for (const line of transcript.split(/\r?\n/)) {
    const m = /^(?:([245]\d\d) (?:[245]\.\d{1,3}\.\d{1,3} )?)?<?([^<>\s]+)>?\.\.\. (.*)$/.exec(line.trim());
    if (!m || m[2]!.toLowerCase() !== lower) continue;
    if (m[1]) return line.trim();
    uncoded ??= line.trim();
  }
  return (
    /^<<< ?([245]\d\d\b.*)$/m.exec(transcript)?.[1]?.trim() ??
    // A local delivery failure: "554 5.3.0 unknown mailer error 255".
    /^([45]\d\d [45]\.\d{1,3}\.\d{1,3} .*)$/m.exec(transcript)?.[1]?.trim() ??
    uncoded
  );
}

function firstGroup(patterns: readonly RegExp[], text: string): string | undefined {
  for (const re of patterns) {
    const m = re.exec(text);
    if (m?.[1]) return m[1];
  }
  return undefined;
}
