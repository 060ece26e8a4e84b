// fml (a Japanese mailing-list manager) refusing a post: the list address did not take the
// message, and the notice says why ("You are not a member of this mailing list <list>.",
// "Duplicated Message-ID in <list>."). The list is the recipient that refused (corpus
// lhost-fml-*).
import type { ProseLayout } from '../types.js';
import { rawRecipient } from './lib.js';

// fml's refusal notices (fml 4 messages.*): the sentence names the list in angle brackets.
const REFUSAL = /^(?:You are not a member of this mailing list|Duplicated Message-ID in) <([^\s<>]+@[^\s<>]+)>\.?[ \t]*$/im;

export const fmlLayout: ProseLayout = {
  generator: 'fml',
  needs: { header: ['x-mlserver'] },
  read(view, text) {
    if (!/^fml\b/i.test(view.header.find(f => f.name === 'x-mlserver')?.value ?? '')) return [];
    const m = REFUSAL.exec(text);
    return m ? [rawRecipient(m[1]!, 'failed', m[0].trim())] : [];
  },
};
