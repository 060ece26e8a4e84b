// DragonFly Mail Agent (dma, the DragonFly/FreeBSD base-system MTA) writes no delivery-status
// part: "There was an error delivering your mail to <rcpt>." then either
// "<host> [ip] did not like our <COMMAND>:" and the reply, or "Could not deliver for the last N
// seconds. Giving up." (dma's net.c / dma.c bounce text; corpus lhost-dragonfly-*).
import type { ProseLayout } from '../types.js';
import { joinReply, linesAfter, paragraph, rawRecipient, stageOf } from './lib.js';

const INTRO = /This is the DragonFly Mail Agent\b/i;
const RCPT = /There was an error delivering your mail to <([^<>\s]+)>/i;
// "mx.example.jp [192.0.2.1] did not like our RCPT TO:" / "... did not like our final DATA:".
const DID_NOT_LIKE = /^(\S+) \[[^\]]*\] did not like our (.+?):\s*$/;
const REPLY_LINE = /^[245]\d\d[ -]/;

export const dragonflyLayout: ProseLayout = {
  generator: 'dragonfly',
  needs: { text: ['this is the dragonfly mail agent'] },
  read(_view, text) {
    if (!INTRO.test(text)) return [];
    const rcpt = RCPT.exec(text)?.[1];
    const lines = linesAfter(text, RCPT);
    if (!rcpt || !lines) return [];
    const { lines: block, next } = paragraph(lines);
    const said = block[0] ? DID_NOT_LIKE.exec(block[0].trim()) : null;
    if (said) {
      // The reply's lines, even when a stray CR put blank lines between them (lhost-dragonfly-01).
      const reply = block.slice(1);
      for (let i = next; i < lines.length; i++) {
        const line = lines[i]!.trim();
        if (line === '') continue;
        if (!REPLY_LINE.test(line)) break;
        reply.push(line);
      }
      return [rawRecipient(rcpt, 'failed', joinReply(reply), { remoteMta: said[1], stage: stageOf(said[2]) })];
    }
    return [rawRecipient(rcpt, 'failed', block.join(' '))];
  },
};
