// Delivery-status fields pasted into the text instead of a message/delivery-status part:
// forwarded bounces ("> Final-Recipient: ..." quoted, corpus lhost-sendmail-14) and gateways
// that flatten multipart/report to text/plain. Read with the RFC 3464 parser once unquoted.
import { parseDeliveryStatus } from '../rfc3464.js';
import type { ProseLayout } from '../types.js';

const FIRST_FIELD = /^(?:> ?)*(Reporting-MTA|Final-Recipient|Original-Recipient)[ \t]*:/im;
const MAX_BLOCK = 16 * 1024;
const RETURNED_HEADER = /^(Return-Path|Received|Message-Id|From|To|Subject|Date|MIME-Version|Content-Type|DKIM-Signature)[ \t]*:/im;

export const inlineDsnLayout: ProseLayout = {
  generator: '',
  needs: { text: ['reporting-mta', 'final-recipient', 'original-recipient'] },
  read(_view, text) {
    const m = FIRST_FIELD.exec(text);
    if (!m) return [];
    const block = text.slice(m.index, m.index + MAX_BLOCK).replace(/^(?:> ?)+/gm, '');
    // The returned message's headers often follow without a blank line: stop at the first one.
    const end = block.search(RETURNED_HEADER);
    return parseDeliveryStatus(end === -1 ? block : block.slice(0, end), []).recipients;
  },
};
