// Recipient address normalisation: one spelling per mailbox so that state keyed by recipient
// does not split. RFC 5321 §2.4: the local part may be case-sensitive, the domain is not, so
// only the domain is lower-cased.
import { stripTypePrefix } from './fields.js';

/**
 * `rfc822; <Kijitora@Example.COM>` → `Kijitora@example.com`. Returns '' when nothing that
 * looks like an address is left.
 */
export function normaliseAddress(value: string | undefined): string {
  if (!value) return '';
  let v = stripTypePrefix(value).value;
  if (isBare(v)) return lowerDomain(v);
  // "Name <addr>" or "<addr>": the bracketed part is the address.
  const bracketed = /<([^<>]*@[^<>]*)>/.exec(v);
  if (bracketed) {
    v = bracketed[1]!;
    if (isBare(v)) return lowerDomain(v);
  }
  // Exim pipe/file deliveries: "|/usr/bin/prog kijitora@example.com /home/x"; take the mailbox.
  if (/\s/.test(v.trim())) v = v.split(/\s+/).find(t => /^[^@]+@[^@]+\.[^@]+$/.test(t)) ?? v;
  v = v.replace(/[<>\s]/g, '').replace(/[.,;:]+$/, '');
  // Quotes around the whole address are decoration; a quoted local part ("a..b"@x) is not.
  if (/^(["']).*\1$/.test(v) && !/^"[^"]*"@/.test(v)) v = v.slice(1, -1);
  // Source routes ("@relay:user@host", RFC 5321 §4.1.2) are obsolete; keep the mailbox.
  v = v.replace(/^@[^:]*:/, '');
  return lowerDomain(v);
}

function lowerDomain(v: string): string {
  const at = v.lastIndexOf('@');
  if (at <= 0 || at === v.length - 1) return at === -1 ? v : '';
  return `${v.slice(0, at)}@${v.slice(at + 1).toLowerCase()}`;
}

/**
 * The common case, a bare mailbox ("kijitora@example.jp"): visible ASCII without brackets or
 * quotes, not starting with "@" and not ending in punctuation. Every rewrite above leaves such
 * a value as it is, so it goes straight to lowerDomain (issue 3: the regexes cost per record).
 */
function isBare(v: string): boolean {
  if (!v || v.charCodeAt(0) === 0x40 || /[.,;:]/.test(v[v.length - 1]!)) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x3c || c === 0x3e || c === 0x22 || c === 0x27) return false;
  }
  return true;
}

/** True when a string looks like a mailbox (local@domain), used to pick addresses out of prose. */
export function looksLikeAddress(value: string): boolean {
  return /^[^\s@<>()]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]{2,}$|^[^\s@<>()]+@\[[\d.:a-fA-F]+\]$/.test(value);
}
