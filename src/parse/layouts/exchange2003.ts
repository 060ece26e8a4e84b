// Exchange 2000/2003 (and Exchange 5.5 IMS) non-delivery reports: no delivery-status part, the
// failed recipients listed after "did not reach the following recipient(s):" (or "The following
// recipient(s) could not be reached:"), each as "rcpt on <date>" followed by the reason lines
// ("The recipient name is not recognized", "MSEXCH:IMS:... (000C05A6) Unknown Recipient").
// Continuation lines are not always indented (corpus lhost-exchange2003-*, rfc3464-39).
import type { ProseLayout, RawRecipient } from '../types.js';
import { linesAfter, rawRecipient } from './lib.js';

const LIST = /^\s*(?:did not reach the following recipient\(s\)|The following recipient\(s\) could not be reached):\s*$/im;
const ENTRY = /^\s*<?([^\s<>]+@[^\s<>]+?)>? on .+$/;
// The MTS-ID line (and its unindented continuation) identifies the message, not the failure.
const MTS_ID = /^\s*The MTS-ID of the original message is:|^;l=/;
// "Did not reach the following recipient: rcpt" (a one-line variant, no reason given).
const ONE_LINE = /^Did not reach the following recipient:\s*<?([^\s<>]+@[^\s<>]+?)>?\s*$/im;

export const exchange2003Layout: ProseLayout = {
  generator: 'microsoft',
  name: 'exchange2003',
  needs: { text: ['did not reach the following recipient', 'the following recipient(s) could not be reached'] },
  read(_view, text) {
    const lines = linesAfter(text, LIST);
    if (!lines) {
      const one = ONE_LINE.exec(text);
      return one ? [rawRecipient(one[1]!, 'failed')] : [];
    }
    const out: { recipient: string; reason: string[] }[] = [];
    let skipping = false;
    for (const line of lines) {
      const m = ENTRY.exec(line);
      if (m) {
        out.push({ recipient: m[1]!, reason: [] });
        skipping = false;
        continue;
      }
      const current = out[out.length - 1];
      if (!current) {
        if (line.trim() === '') continue;
        break;
      }
      if (line.trim() === '') {
        if (current.reason.length) break;
        continue;
      }
      if (MTS_ID.test(line)) {
        skipping = /MTS-ID/.test(line);
        continue;
      }
      if (skipping && !/^\s/.test(line)) continue;
      skipping = false;
      current.reason.push(line.trim());
    }
    return out.map((e): RawRecipient => rawRecipient(e.recipient, 'failed', e.reason.join(' ')));
  },
};
