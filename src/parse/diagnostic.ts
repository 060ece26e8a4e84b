// Reply text analysis: which part of a Diagnostic-Code we classify on and which codes it
// carries. Gateways wrap the remote reply in their own text (Exchange "Remote Server returned
// '...'", "... -> 550 ...", Exchange 2003 "#5.1.1 smtp;550 ..."); the innermost reply is the
// remote server's own words, so it decides (DESIGN.md "Rules as data": innermost beats wrapper).
import { stripTypePrefix } from './fields.js';

export interface Diagnostic {
  /** Diagnostic-Code type (`smtp`, `x-postfix`, ...), lower-case, when written. */
  type?: string;
  /** The whole value after the type, whitespace collapsed. */
  full: string;
  /** The innermost reply: what classification reads. */
  innermost: string;
  /** 3-digit SMTP reply code (RFC 5321 §4.2) of the innermost reply, else of the wrapper. */
  replyCode?: string;
  /** Enhanced status (RFC 3463) of the innermost reply, else the first one in the wrapper. */
  status?: string;
}

// RFC 3463 §2: class "." subject "." detail, class 2/4/5, subject and detail 1-3 digits. The
// look-arounds keep IPv4 addresses (192.0.2.5.1...) and version numbers from matching.
const ENHANCED = /(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?![\w-]|\.\d)/;
// A reply starts with its code, then space, hyphen (multi-line reply) or end.
// RFC 5321 §4.2: first digit 2-5, second 0-5.
const REPLY_AT_START = /^\s*(?:<<<\s*)?([245][0-5]\d)(?=[\s\-:]|$)/;
// "Remote Server returned '<reply>'" (Exchange 2007+, Office 365 prose and diagnostics).
const REMOTE_RETURNED = /Remote Server returned\s*'([\s\S]*?)'(?:\s|$|<)/i;
// Exchange 2003: "<host #5.1.1 smtp;550 5.1.1 <user>... User unknown> #SMTP#".
const NESTED_SMTP = /#\d\.\d{1,3}\.\d{1,3}\s*smtp;\s*([245]\d\d[\s\S]*?)>?\s*(?:#SMTP#)?\s*$/i;

// Amazon SES quotes the remote reply: 550-'5.7.1 ...'.
const QUOTED_REPLY = /\b([245]\d\d)[ -]'([^']+)'/;
// A reply in angle brackets at the very end of a wrapper (Amazon SES expiry notices).
const TRAILING_REPLY = /.<([245]\d\d[ -][^<>]*)>\s*$/;
// The reply after the reporting MTA's own words ("said:", "to me:", "[ip]:", "after RCPT TO:<x>:").
const PREAMBLE_REPLY = /(?:\bsaid|\bto me|\]|>(?: SIZE=\d+)?|\bafter [A-Za-z ]{2,30})\s*:\s*([245]\d\d(?=[\s\-:]|$)[\s\S]*)$/i;
const IN_REPLY_TO = /\s*\(in reply to [^()]*\)\s*$/i;

/** Collapse runs of whitespace (unfolded lines, tabs) to one space, trimmed. */
export function squash(text: string): string {
  // Most texts are squashed already, and one native scan says so (issue 3: this runs on every
  // reply and prose block).
  if (!UNSQUASHED.test(text) && !isSpace(text.charCodeAt(0)) && !isSpace(text.charCodeAt(text.length - 1))) return text;
  return text.replace(/\s+/g, ' ').trim();
}

// Two whitespace characters in a row, or one that is not a space (the rest of `\s`).
const UNSQUASHED = /\s\s|[\t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/** The characters of the RegExp class `\s` (WhiteSpace and LineTerminator, ECMA-262). */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  if (c >= 0x2000 && c <= 0x200a) return true;
  return c === 0xa0 || c === 0x1680 || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Analyse a Diagnostic-Code value (`type; text`) or a reply quoted in prose (no type). */
export function analyseDiagnostic(value: string): Diagnostic {
  const { type, value: rest } = splitType(value);
  const full = squash(rest);
  const innermost = innermostReply(full);
  const out: Diagnostic = { full, innermost };
  if (type) out.type = type;
  // Only SMTP diagnostics carry reply codes; "X-Unix; 255" is a program's exit status.
  const smtpLike = !type || type === 'smtp' || type.startsWith('x-postfix') || type === 'lmtp' || type === 'esmtp';
  const reply = smtpLike ? (REPLY_AT_START.exec(innermost)?.[1] ?? REPLY_AT_START.exec(full)?.[1]) : undefined;
  if (reply) out.replyCode = reply;
  const status = enhancedStatus(innermost) ?? enhancedStatus(full);
  if (status) out.status = status;
  return out;
}

/** Only a known-looking type prefix is a type: "550 5.1.1 user; unknown" has no type. */
function splitType(value: string): { type?: string; value: string } {
  const s = stripTypePrefix(value);
  if (s.type && /^(smtp|x-[\w-]+|x400|x-unix|mail|unix|lmtp|esmtp)$/i.test(s.type)) return s;
  return { value };
}

/** Peel wrappers until the remote server's own reply is left. */
export function innermostReply(full: string): string {
  let text = full;
  for (let i = 0; i < 4; i++) {
    const next = peel(text);
    if (next === undefined || next === text || next === '') break;
    text = next;
  }
  return text;
}

function peel(text: string): string | undefined {
  const returned = REMOTE_RETURNED.exec(text)?.[1];
  if (returned) return returned.trim();
  // "550 5.1.351 Remote server returned unknown recipient ... -> 550 Unknown user x@y": the part
  // after the last arrow is what the next hop said.
  const arrow = text.lastIndexOf('->');
  if (arrow !== -1) {
    const tail = text.slice(arrow + 2).trim();
    if (REPLY_AT_START.test(tail)) return tail;
  }
  const nested = NESTED_SMTP.exec(text)?.[1];
  if (nested) return nested.trim();
  // Amazon SES: "5.1.0 - Unknown address error 550-'5.7.1 <x>... Access denied' (...)". Only
  // inside a wrapper: a reply that itself starts "550 'x' ..." is not wrapped.
  const quoted = QUOTED_REPLY.exec(text);
  if (quoted && quoted.index > 0) return `${quoted[1]} ${quoted[2]!.trim()}`;
  // "554 4.4.7 Message expired: ... <421 4.4.2 Connection timed out>": the last reply seen.
  const last = TRAILING_REPLY.exec(text)?.[1];
  if (last) return last.trim();
  // A reply after the reporting MTA's own preamble: Postfix "host X[ip] said: 550 ... (in reply
  // to RCPT TO command)" (the parenthetical is Postfix's, not the remote's), "refused to talk to
  // me: 421 ...", Exim "after RCPT TO:<x>: host X [ip]: 550 ...".
  const said = PREAMBLE_REPLY.exec(text)?.[1];
  if (said) return said.replace(IN_REPLY_TO, '').trim();
  return undefined;
}

/** First RFC 3463 enhanced status code in a text, normalised (`5.1.1`). */
export function enhancedStatus(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const m = ENHANCED.exec(text);
  if (!m) return undefined;
  return `${m[1]}.${Number(m[2])}.${Number(m[3])}`;
}
