// Which prose layouts can possibly read a message (issue 3). Without a delivery-status part the
// ~35 layouts were tried one after another, each scanning the notification with its own
// case-insensitive regexes until one found a recipient: ~15 layouts and ~40 µs per such message.
// Each layout states what it cannot do without (`needs`: phrases, header fields, From, Subject);
// one regex pass over the lower-cased text finds every phrase at once, and only the layouts whose
// needs hold are read, still in LAYOUTS order, so the first that finds a recipient is the same.
// Soundness (a skipped layout would have found nothing) is each layout's `needs` following from
// its own checks; test/parse/layout-prefilter.test.ts holds every layout to it on the corpus.
import type { MessageView, ProseLayout } from './types.js';

export interface LayoutPrefilter {
  /** The layouts whose needs hold, in their order. `lower` is `text.toLowerCase()`. */
  candidates(view: MessageView, lower: string): ProseLayout[];
}

/** A layout's needs as indexes into the prefilter's phrase and header lists (one shape for all). */
interface Compiled {
  layout: ProseLayout;
  always: boolean;
  phrases: number[];
  headers: number[];
  from: readonly string[];
  subject: readonly string[];
}

export function layoutPrefilter(layouts: readonly ProseLayout[]): LayoutPrefilter {
  const phrases = [...new Set(layouts.flatMap(l => l.needs?.text ?? []))].filter(p => p !== '');
  // Longest first: at a position where several phrases start, the regex reports the longest,
  // and every other phrase starting there is a prefix of it (listed in `prefixes`).
  phrases.sort((a, b) => b.length - a.length);
  const scan = phrases.length ? new RegExp(phrases.map(escape).join('|'), 'g') : undefined;
  const prefixes = new Map(phrases.map(p => [p, phrases.flatMap((q, i) => (p.startsWith(q) ? [i] : []))]));
  const headers = [...new Set(layouts.flatMap(l => l.needs?.header ?? []))];
  const compiled: Compiled[] = layouts.map(layout => {
    const n = layout.needs;
    return {
      layout,
      always: n === undefined,
      phrases: (n?.text ?? []).map(p => phrases.indexOf(p)).filter(i => i >= 0),
      headers: (n?.header ?? []).map(h => headers.indexOf(h)),
      from: n?.from ?? [],
      subject: n?.subject ?? [],
    };
  });
  // Scratch marks, valid when equal to `epoch` (candidates() is synchronous, never re-entered).
  const found = new Uint32Array(phrases.length);
  const present = new Uint32Array(headers.length);
  let epoch = 0;
  return {
    candidates(view, lower) {
      epoch = (epoch + 1) >>> 0 || 1;
      if (scan) {
        scan.lastIndex = 0;
        for (let m = scan.exec(lower); m; m = scan.exec(lower)) {
          for (const i of prefixes.get(m[0])!) found[i] = epoch;
          // From the next character, not after the match: a phrase may start inside another.
          scan.lastIndex = m.index + 1;
        }
      }
      for (const f of view.header) {
        const i = headers.indexOf(f.name);
        if (i >= 0) present[i] = epoch;
      }
      let from: string | undefined;
      let subject: string | undefined;
      const out: ProseLayout[] = [];
      for (const c of compiled) {
        let ok = c.always;
        for (let k = 0; !ok && k < c.phrases.length; k++) ok = found[c.phrases[k]!] === epoch;
        for (let k = 0; !ok && k < c.headers.length; k++) ok = present[c.headers[k]!] === epoch;
        if (!ok && c.from.length) {
          // The layouts read the first From field (view.header.find).
          from ??= (view.header.find(f => f.name === 'from')?.value ?? '').toLowerCase();
          ok = c.from.some(p => from!.includes(p));
        }
        if (!ok && c.subject.length) {
          subject ??= (view.subject ?? '').toLowerCase();
          ok = c.subject.some(p => subject!.startsWith(p));
        }
        if (ok) out.push(c.layout);
      }
      return out;
    },
  };
}

function escape(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
