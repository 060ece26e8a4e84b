// Sendmail bounce without a delivery-status part (Sendmail V5/V8 without DSN support): the
// failed addresses are listed under "----- The following addresses had permanent fatal errors
// -----" and the reply sits in "(reason: ...)" or in the transcript (savemail.c).
import type { ProseLayout, RawRecipient } from '../types.js';

// (?<!-): match a run of dashes from its start only, or a long run costs quadratic time.
const LIST = /(?<!-)-{3,} ?The following addresses had (permanent fatal|transient non-fatal) errors ?-{3,}/i;
const TRANSCRIPT = /(?<!-)-{3,} ?Transcript of session follows ?-{3,}/i;

export const sendmailLayout: ProseLayout = {
  generator: 'sendmail',
  needs: {
    text: [
      'the following addresses had permanent fatal errors',
      'the following addresses had transient non-fatal errors',
      'transcript of session follows',
    ],
  },
  read(_view, text) {
    const list = LIST.exec(text);
    if (list) return fromList(text.slice(list.index + list[0].length), /transient/i.test(list[1]!) ? 'delayed' : 'failed');
    const transcript = TRANSCRIPT.exec(text);
    if (transcript) return fromTranscript(text.slice(transcript.index + transcript[0].length));
    return [];
  },
};

function fromList(rest: string, action: string): RawRecipient[] {
  const out: RawRecipient[] = [];
  const lines = rest.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' && out.length) break;
    const m = /^\s*<?([^\s<>()]+@[^\s<>()]+?)>?\s*(?:\.\.\..*)?$/.exec(line);
    if (!m) continue;
    const reason = /^\s+\(reason: ([\s\S]*)\)\s*$/.exec(lines[i + 1] ?? '')?.[1];
    const r: RawRecipient = { recipient: m[1]!, action, fields: {} };
    if (reason) r.diagnosticCode = reason;
    out.push(r);
  }
  return out;
}

/** V5: "554 <rcpt>... 550 Host unknown" lines in the transcript name recipient and reply. */
function fromTranscript(rest: string): RawRecipient[] {
  const out: RawRecipient[] = [];
  for (const line of rest.split(/\r?\n/)) {
    if (/^\s*-{3,}/.test(line)) break;
    const m = /^([45]\d\d) <([^<>\s]+@[^<>\s]+)>\.\.\. (.*)$/.exec(line.trim());
    if (m) out.push({ recipient: m[2]!, action: m[1]![0] === '5' ? 'failed' : 'delayed', diagnosticCode: m[3]!, fields: {} });
  }
  return out;
}
