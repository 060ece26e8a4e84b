// An unidentified qmail-derived MTA (Sisimai's X2; Yahoo! Japan and others ran it): "Unable to
// deliver message to the following address(es)." then qmail-style "<rcpt>:" entries. A second
// template of the same family (lhost-x2-07) writes "Delivery failed: rcpt", "Remote host
// said[Response Message]: <reply>" and "STEP: <command>" (corpus lhost-x2-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { colonEntries, linesAfter, rawRecipient, stageOf } from './lib.js';

const INTRO = /^Unable to deliver message to the following address\(es\)\.?\s*$/im;
const STOP = /^-{2,} ?Original message follows/i;
// qmail's own sentences after the remote's words; "/" is a stray prefix seen in the corpus.
const NOISE = /\s*\/?I'm not going to try again; this message has been in the queue too long\.?\s*$/i;
const FAILED = /^Delivery failed: <?([^\s<>]+@[^\s<>]+?)>?\s*$/im;
const RESPONSE = /^Remote host said(?:\[Response Message\])?:\s*(.+)$/im;
const STEP = /^STEP:\s*(.+)$/im;
const HOST = /^(\S+) failed after I sent the message\.?$/im;

export const x2Layout: ProseLayout = {
  generator: 'x2',
  needs: { text: ['unable to deliver message to the following address(es)', 'delivery failed: '] },
  read(_view, text) {
    const lines = linesAfter(text, INTRO);
    if (lines) {
      return colonEntries(lines, STOP).map(e => rawRecipient(e.recipient, 'failed', e.reason.join(' ').replace(NOISE, '')));
    }
    const failed = FAILED.exec(text);
    // "Delivery failed: x" alone could be anyone's sentence; the template also quotes the reply.
    if (!failed || !RESPONSE.test(text)) return [];
    const out: RawRecipient[] = [
      rawRecipient(failed[1]!, 'failed', RESPONSE.exec(text)?.[1], {
        stage: HOST.test(text) ? 'data' : stageOf(STEP.exec(text)?.[1]),
        remoteMta: HOST.exec(text)?.[1],
      }),
    ];
    return out;
  },
};
