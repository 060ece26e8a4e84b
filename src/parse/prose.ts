// Facts about one recipient from the human-readable notification: the rejecting host and the
// SMTP stage, which the delivery-status part often leaves out (Postfix writes the stage only in
// prose, Sendmail only in its transcript), and the reply itself for prose-only bounces.
// Patterns are the layouts of the MTAs' own templates (Postfix bounce(5) defaults, Sendmail
// savemail.c, Exim's "SMTP error from remote mail server", qmail-send's bounce text).
import { squash } from './diagnostic.js';
import { stageFromText, stageFromTranscript } from './stage.js';
import type { Stage } from '../domain/vocab.js';
import type { ProseFacts } from './types.js';

/** The notification is at the top; past this we are reading the returned message. */
export const MAX_PROSE = 64 * 1024;

// Where the returned copy starts in a single-part bounce (Exim, qmail, Sendmail v5, Courier...).
// Only the phrase is matched; the line around it is found with indexOf (a "^.*(...).*$" pattern
// retries every position of a long line, which is quadratic). No phrase spans a line break and
// each holds "message": only the lines with that word are tried (issue 3: the alternation cost
// several µs per message), each once.
const COPY_MARKER =
  /a copy of (the|your) (original )?message|original message follows|original message headers|the original message (is|was) (attached|included)|(?<!-)-{3,} ?original message ?-{3,}|message headers follow|unsent message follows/i;
const MESSAGE = /message/gi;

/**
 * The notification part of a text: capped, and cut before an inline copy of the original. A
 * marker before any address is an intro sentence ("a copy of the message is attached"), not
 * the start of the copy, so it does not cut.
 */
export function notificationText(text: string): string {
  const head = text.length > MAX_PROSE ? text.slice(0, MAX_PROSE) : text;
  const firstAt = head.indexOf('@');
  if (firstAt === -1) return head;
  MESSAGE.lastIndex = 0;
  for (let m = MESSAGE.exec(head); m; m = MESSAGE.exec(head)) {
    const lineStart = head.lastIndexOf('\n', m.index) + 1;
    const nl = head.indexOf('\n', m.index);
    const lineEnd = nl === -1 ? head.length : nl;
    if (COPY_MARKER.test(head.slice(lineStart, lineEnd)) && firstAt < lineStart) return head.slice(0, lineStart);
    // Continue after this line: the next marker is on a later one.
    if (nl === -1) break;
    MESSAGE.lastIndex = nl;
  }
  return head;
}

/**
 * The notification prepared once per message (a DSN may list thousands of recipients). Each
 * part is computed when first asked: most records need none of them (issue 3).
 */
export class Prose {
  #lower: string | undefined;
  #sections: string[] | undefined;
  #summary: string | undefined | null = null;

  constructor(
    readonly text: string,
    lower?: string,
  ) {
    this.#lower = lower;
  }

  get lower(): string {
    return (this.#lower ??= this.text.toLowerCase());
  }

  /** Sendmail transcript sections, one per "... while talking to X.:" (or the whole transcript). */
  get sections(): string[] {
    return (this.#sections ??= transcriptSections(this.text));
  }

  /** What the notification says for the whole message, when no recipient has its own words. */
  get summary(): string | undefined {
    if (this.#summary === null) this.#summary = messageSummary(this.text);
    return this.#summary;
  }
}

export function prepareProse(text: string, lower?: string): Prose {
  return new Prose(text, lower);
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
    // One CR before the LF dropped (what .replace(/\r$/, '') did), without a regex per line.
    const line = end > start && text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
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

/**
 * Facts about `recipient` from the notification (cut with notificationText, then prepared). Each
 * is read when first asked: a record usually needs one or two of them (issue 3). Each fact comes
 * from the recipient's paragraph first, else from the Sendmail transcript.
 */
export function proseFacts(prose: Prose, recipient: string): ProseFacts {
  return new RecipientFacts(prose, recipient);
}

class RecipientFacts implements ProseFacts {
  // undefined: not read yet; null: there is none.
  #flat: string | null | undefined;
  #transcript: string | null | undefined;

  constructor(
    private readonly prose: Prose,
    private readonly recipient: string,
  ) {}

  get remoteMta(): string | undefined {
    const flat = this.flat();
    const host = flat === null ? undefined : firstGroup(HOST_PATTERNS, flat);
    if (host) return host.toLowerCase();
    // Sendmail keeps host and stage in the transcript, away from the recipient list.
    const transcript = this.transcript();
    return transcript === null ? undefined : TRANSCRIPT_HOST.exec(transcript)?.[1]?.toLowerCase();
  }

  get stage(): Stage | undefined {
    const flat = this.flat();
    const stage = flat === null ? undefined : stageFromText(flat);
    if (stage) return stage;
    const transcript = this.transcript();
    return transcript === null ? undefined : stageFromTranscript(transcript);
  }

  get reply(): string | undefined {
    const flat = this.flat();
    const reply = flat === null ? undefined : firstGroup(REPLY_PATTERNS, flat);
    if (reply) return reply.trim();
    const transcript = this.transcript();
    return transcript === null ? undefined : transcriptReply(transcript, this.recipient);
  }

  private flat(): string | null {
    if (this.#flat === undefined) {
      const block = recipientBlock(this.prose, this.recipient);
      this.#flat = block ? squash(block) : null;
    }
    return this.#flat;
  }

  private transcript(): string | null {
    if (this.#transcript === undefined) this.#transcript = transcriptFor(this.prose.sections, this.recipient) || null;
    return this.#transcript;
  }
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
