// Google Groups refusing a post (group missing, or the sender may not post): a localised letter
// from mailer-daemon@googlemail.com, the group in X-Failed-Recipients, no delivery-status part
// and no reply code. The first paragraph after the greeting is the reason as written (corpus
// lhost-googlegroups-*).
import type { ProseLayout, RawRecipient } from '../types.js';
import { paragraph, rawRecipient } from './lib.js';

const FROM = /@googlemail\.com|@google\.com/i;

export const googlegroupsLayout: ProseLayout = {
  generator: 'googlegroups',
  needs: { text: ['groups.google.com'] },
  read(view, text) {
    const failed = view.header.filter(f => f.name === 'x-failed-recipients').map(f => f.value).join(',');
    const from = view.header.find(f => f.name === 'from')?.value ?? '';
    if (!failed || !FROM.test(from) || !/groups\.google\.com/i.test(text)) return [];
    const lines = text.split(/\r?\n/);
    // Skip the greeting ("Hello x," / "x 様"), keep the explanation.
    const first = paragraph(lines);
    const reason = paragraph(lines, first.next).lines.join(' ');
    const out: RawRecipient[] = [];
    for (const r of failed.split(',').map(s => s.trim()).filter(Boolean)) out.push(rawRecipient(r, 'failed', reason));
    return out;
  },
};
