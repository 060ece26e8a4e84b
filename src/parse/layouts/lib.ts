// Small shared pieces for the prose layouts: most MTAs that write no delivery-status part still
// follow one of a few shapes (a list of addresses, "<rcpt>:" followed by its reason, a
// "label: value" block), so the per-MTA files only say which shape and which markers.
import type { Stage } from '../../domain/vocab.js';
import { stageOfCommand } from '../stage.js';
import type { RawRecipient } from '../types.js';

/** A mailbox inside prose: local part without spaces or brackets, a dotted domain. */
export const ADDRESS = /[^\s<>()[\]"',;:]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;
const ADDRESS_ONLY = new RegExp(`^\\s*(?:[*>-]+\\s*)?"?<?(${ADDRESS.source})>?"?:?\\s*$`);

// Unanchored searches start at a word boundary only; from every character, a long word without
// "@" would be rescanned to its end each time (quadratic).
const ADDRESS_IN_TEXT = new RegExp(`(?<![^\\s<>()[\\]"',;:])${ADDRESS.source}`);

/** The first address in a text, without brackets. */
export function firstAddress(text: string | undefined): string | undefined {
  if (!text) return undefined;
  return ADDRESS_IN_TEXT.exec(text)?.[0]?.replace(/\.$/, '');
}

/** A line that holds one address and nothing else (bullets, brackets, quotes, a colon allowed). */
export function addressLine(line: string): string | undefined {
  return ADDRESS_ONLY.exec(line)?.[1];
}

/** One raw recipient; empty optional values are left out. */
export function rawRecipient(
  recipient: string,
  action: string,
  diagnostic?: string,
  extra: { stage?: Stage | undefined; remoteMta?: string | undefined; status?: string | undefined } = {},
): RawRecipient {
  const r: RawRecipient = { recipient, action, fields: {} };
  const d = diagnostic?.replace(/\s+/g, ' ').trim();
  if (d) r.diagnosticCode = d;
  if (extra.stage) r.stage = extra.stage;
  if (extra.remoteMta) r.remoteMta = extra.remoteMta;
  if (extra.status) r.status = extra.status;
  return r;
}

/** Lines of `text` after the first match of `marker` (the rest of the marker's line dropped). */
export function linesAfter(text: string, marker: RegExp): string[] | undefined {
  const m = marker.exec(text);
  if (!m) return undefined;
  const rest = text.slice(m.index + m[0].length);
  const nl = rest.indexOf('\n');
  return (nl === -1 ? '' : rest.slice(nl + 1)).split(/\r?\n/);
}

/** Lines up to (not including) the first blank one, skipping leading blank lines. */
export function paragraph(lines: readonly string[], from = 0): { lines: string[]; next: number } {
  let i = from;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  const out: string[] = [];
  for (; i < lines.length && lines[i]!.trim() !== ''; i++) out.push(lines[i]!);
  return { lines: out, next: i };
}

/**
 * A multi-line SMTP reply as one line: "550-5.7.26 a" / "550 5.7.26 b" → "550 5.7.26 a b"
 * (RFC 5321 §4.2.1: every line repeats the code; only the text is the message).
 */
export function joinReply(lines: readonly string[]): string {
  const out: string[] = [];
  let code = '';
  let enhanced = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    const m = REPLY_LINE.exec(line);
    if (m && out.length === 0) {
      [code, enhanced] = [m[1]!, m[2] ?? ''];
      out.push(`${code} ${enhanced ? enhanced + ' ' : ''}${line.slice(m[0].length)}`.trim());
      continue;
    }
    // A continuation line repeats the code (and usually the enhanced code): drop both.
    if (m && m[1] === code && (m[2] ?? '') === enhanced) out.push(line.slice(m[0].length));
    else if (m && m[1] === code) out.push(line.slice(4));
    else out.push(line);
  }
  return out.join(' ').replace(/\s+/g, ' ').trim();
}
const REPLY_LINE = /^([245]\d\d)[ -](?:([245]\.\d{1,3}\.\d{1,3})(?:\s+|$))?/;

/**
 * qmail-style entries, also written by Yahoo, GMX, 1&1 and several gateways: a line naming the
 * recipient ("<rcpt>:", "rcpt:", "\"rcpt\":"), then its reason up to a blank line or the next
 * entry. `lines` starts after the layout's own intro.
 */
export function colonEntries(lines: readonly string[], stop?: RegExp): { recipient: string; reason: string[] }[] {
  const out: { recipient: string; reason: string[] }[] = [];
  let current: { recipient: string; reason: string[] } | undefined;
  for (const line of lines) {
    if (stop?.test(line)) break;
    const m = /^\s*"?<?([^\s<>"]+@[^\s<>":]+)>?"?:\s*(.*)$/.exec(line);
    if (m) {
      current = { recipient: m[1]!, reason: m[2] ? [m[2]] : [] };
      out.push(current);
      continue;
    }
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    current?.reason.push(line.trim());
  }
  return out;
}

/** Stage from a command as a layout names it ("RCPT TO", "final DATA", "TEXT", "[RCPT_TO]"). */
export function stageOf(command: string | undefined): Stage | undefined {
  if (!command) return undefined;
  const c = command.replace(/_/g, ' ');
  // 1&1 and others call the message text "TEXT".
  if (/\bTEXT\b/i.test(c)) return 'data';
  return stageOfCommand(c);
}
