// Exim bounce without a delivery-status part (Exim before 4.80 and many hosting setups): after
// "The following address(es) failed:" each address sits on a line indented two spaces, its
// reason on the following, deeper-indented lines (Exim spec, chapter "Bounce messages";
// corpus lhost-exim-01..07).
import type { ProseLayout, RawRecipient } from '../types.js';

const INTRO = /This message was created automatically by mail delivery software/i;
const LIST_START = /(address(?:\(es\))?|recipients?) (?:failed|could not be delivered|have failed)[^\n]*:?[ \t]*$|following address\(es\) failed:|has not yet been delivered to the following addresses:?|address(?:es)? to which the message has not yet been delivered (?:is|are):/im;
// Address lines are indented two spaces, reason lines four (deliver.c). The reason may follow
// on the same line ("  <rcpt>: 550 5.1.1 ...", MXLogic's Exim-derived template).
const ADDRESS_LINE = /^ {1,3}(\S.*?)\s*$/;

export const eximLayout: ProseLayout = {
  generator: 'exim',
  read(view, text) {
    const failed = view.header.filter(f => f.name === 'x-failed-recipients').map(f => f.value).join(',');
    if (!INTRO.test(text) && !failed && !EXIM3_LIST.test(text)) return [];
    // Exim's delay warning: "has not yet been delivered to one or more of its recipients".
    const action = /has not yet been delivered/i.test(text) ? 'delayed' : 'failed';
    const start = LIST_START.exec(text);
    const out: RawRecipient[] = [];
    if (start) {
      const lines = text.slice(start.index + start[0].length).split(/\r?\n/);
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        // The list ends at the first unindented text after it ("No action is required ...").
        if (out.length && /^\S/.test(line)) break;
        const m = ADDRESS_LINE.exec(line);
        if (!m) continue;
        const { listed, inline } = splitEntry(m[1]!);
        const reason: string[] = inline ? [inline] : [];
        while (i + 1 < lines.length && /^ {4,}\S|^\t\S/.test(lines[i + 1]!)) reason.push(lines[++i]!.trim());
        if (!listed.includes('@') && !reason.length) continue;
        out.push({ recipient: recipientOf(listed, failed), action, diagnosticCode: reason.join(' '), fields: {} });
      }
    }
    if (!out.length) out.push(...exim3(text, action));
    if (!out.length && failed) {
      // The header alone still names who failed (Exim sets it on every bounce).
      for (const r of failed.split(',').map(s => s.trim()).filter(Boolean)) out.push({ recipient: r, action, fields: {} });
    }
    return out;
  },
};

// Exim 3: "|---- Failed addresses follow: ----|" then "addr ... reason" lines (rfc3464-37).
const EXIM3_LIST = /^\|-+ Failed addresses follow: -+\|$/m;

function exim3(text: string, action: string): RawRecipient[] {
  const start = EXIM3_LIST.exec(text);
  if (!start) return [];
  const out: RawRecipient[] = [];
  for (const line of text.slice(start.index + start[0].length).split(/\r?\n/)) {
    if (/^\|-+/.test(line)) break;
    const m = /^\s*<?([^\s<>]+@[^\s<>]+?)>? \.\.\. (.*)$/.exec(line);
    if (m) out.push({ recipient: m[1]!, action, diagnosticCode: m[2]!.trim(), fields: {} });
  }
  return out;
}

/** "<a@b>: 550 ..." / "a@b:" / "a@b" / "save to xxxx" → the listed name and any inline reason. */
function splitEntry(entry: string): { listed: string; inline?: string } {
  const m = /^<?([^\s<>]+@[^\s<>:]+)>?:?(?:\s+(.*))?$/.exec(entry);
  if (m) return m[2] ? { listed: m[1]!, inline: m[2] } : { listed: m[1]! };
  return { listed: entry.replace(/:$/, '') };
}

/** "save to xxxx" / pipe / file deliveries name no address; X-Failed-Recipients does. */
function recipientOf(listed: string, failed: string): string {
  if (listed.includes('@')) return listed;
  const first = failed.split(',')[0]?.trim();
  return first || listed;
}
