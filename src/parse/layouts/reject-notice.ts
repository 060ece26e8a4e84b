// A hosting provider's "automatic bounce notification" (MTA unknown; reported to Sisimai as
// rb-sisimai issue 368): a framed banner, an explanation, then "reject reason: <text>" and
// "target mail address: <rcpt>" (corpus maildir/not/rb-issue-368-bug.eml).
import type { ProseLayout } from '../types.js';
import { rawRecipient } from './lib.js';

const REASON = /^\s*reject reason:\s*(.+?)\s*$/im;
const TARGET = /^\s*target mail address:\s*<?([^\s<>]+@[^\s<>]+?)>?\s*$/im;

export const rejectNoticeLayout: ProseLayout = {
  generator: '',
  needs: { text: ['target mail address:'] },
  read(_view, text) {
    const target = TARGET.exec(text);
    const reason = REASON.exec(text);
    if (!target || !reason) return [];
    return [rawRecipient(target[1]!, 'failed', reason[1])];
  },
};
