// The layout prefilter (src/parse/layout-prefilter.ts) may only ever skip a layout that would
// have found nothing: then the first layout that reads a message is the same with and without
// it. Proven here the strong way: for every corpus fixture, its returned messages, and several
// texts cut from each (the notification, the whole text, upper- and lower-cased), EVERY layout
// that reads anything is among the candidates, whichever layout parse would have picked. Every
// layout must read at least one of these inputs, so no row is proven on nothing; and with every
// phrase, header field, From or Subject its needs name taken out, it must read nothing.
import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMessages } from '../../src/ingest/files.js';
import { layoutPrefilter } from '../../src/parse/layout-prefilter.js';
import { mailparserView, normaliseLineEndings, readMime } from '../../src/parse/mime.js';
import { notificationText } from '../../src/parse/prose.js';
import type { MessageView, ProseLayout } from '../../src/parse/types.js';
import { CORPUS } from './fixtures/corpus.js';

const LAYOUT_DIR = fileURLToPath(new URL('../../src/parse/layouts/', import.meta.url));

/** Every layout exported from src/parse/layouts/, so a new one is covered without a change here. */
async function allLayouts(): Promise<Map<string, ProseLayout>> {
  const out = new Map<string, ProseLayout>();
  for (const file of readdirSync(LAYOUT_DIR).filter(f => f.endsWith('.ts')).sort()) {
    const mod = (await import(join(LAYOUT_DIR, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === 'object' && value !== null && typeof (value as ProseLayout).read === 'function') out.set(name, value as ProseLayout);
    }
  }
  return out;
}

function prepared(raw: Buffer): Buffer {
  const n = normaliseLineEndings(raw);
  if (n.subarray(0, 5).toString('latin1') !== 'From ') return n;
  const nl = n.indexOf(10);
  return nl === -1 ? Buffer.alloc(0) : n.subarray(nl + 1);
}

/** The views to try: each corpus message and the messages returned inside it. */
async function views(): Promise<[string, MessageView][]> {
  const out: [string, MessageView][] = [];
  for (const folder of ['maildir', 'mailbox']) {
    for await (const m of readMessages(join(CORPUS, folder))) {
      const name = `${m.file.slice(CORPUS.length)}#${m.message}`;
      const view = await readMime(prepared(m.raw), []);
      out.push([name, view]);
      for (const [i, part] of (await mailparserView(prepared(m.raw), [])).parts.entries()) {
        if (part.contentType === 'message/rfc822') out.push([`${name} part ${i}`, await readMime(prepared(part.content), [])]);
      }
    }
  }
  return out;
}

t.test('every layout that reads a corpus text is among the candidates', async t => {
  const layouts = await allLayouts();
  const prefilter = layoutPrefilter([...layouts.values()]);
  const readSomething = new Set<string>();
  let checked = 0;
  for (const [name, view] of await views()) {
    const texts = new Set([view.text, notificationText(view.text), view.text.toUpperCase(), view.text.toLowerCase()]);
    for (const text of texts) {
      const candidates = new Set(prefilter.candidates(view, text.toLowerCase()));
      for (const [layoutName, layout] of layouts) {
        if (!layout.read(view, text).length) continue;
        readSomething.add(layoutName);
        checked++;
        if (!candidates.has(layout)) t.fail(`${name}: ${layoutName} reads the text but was not a candidate`);
      }
    }
  }
  t.ok(checked > 300, `${checked} (text, layout) pairs where a layout reads`);
  for (const [layoutName, layout] of layouts) {
    t.ok(readSomething.has(layoutName), `${layoutName} reads at least one corpus text`);
    t.ok(layout.needs, `${layoutName} states its needs (else it is read for every message)`);
  }
});

/** The view and text with everything a layout's needs name taken out. */
function withoutNeeds(layout: ProseLayout, v: MessageView, text: string): [MessageView, string] {
  const needs = layout.needs ?? {};
  let out = text;
  for (const phrase of needs.text ?? []) out = out.replace(new RegExp(phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), m => '#'.repeat(m.length));
  let header = v.header.filter(f => !needs.header?.includes(f.name));
  if (needs.from) header = header.map(f => (f.name === 'from' ? { name: 'from', value: 'nobody@invalid.example' } : f));
  return [{ ...v, header, ...(needs.subject ? { subject: 'x' } : {}) }, out];
}

t.test('without what its needs name, no layout reads a corpus text', async t => {
  const layouts = await allLayouts();
  let checked = 0;
  for (const [name, v] of await views()) {
    for (const text of new Set([v.text, notificationText(v.text)])) {
      for (const [layoutName, layout] of layouts) {
        if (!layout.read(v, text).length) continue;
        checked++;
        const [view2, text2] = withoutNeeds(layout, v, text);
        t.strictSame(layout.read(view2, text2), [], `${name}: ${layoutName} needs what it says`);
      }
    }
  }
  t.ok(checked > 200, `${checked} readings checked`);
});

const view = (header: [string, string][], subject?: string): MessageView => ({
  header: header.map(([name, value]) => ({ name, value })),
  ...(subject === undefined ? {} : { subject }),
  contentType: 'text/plain',
  text: '',
  parts: [],
});
const layout = (name: string, needs: ProseLayout['needs']): ProseLayout => ({ generator: name, ...(needs ? { needs } : {}), read: () => [] });

t.test('phrases are found wherever they start, also inside and at the start of another', async t => {
  const [abc, abcdef, bcd, cde, other] = [layout('abc', { text: ['abc'] }), layout('abcdef', { text: ['abcdef'] }), layout('bcd', { text: ['bcd'] }), layout('cde', { text: ['cde'] }), layout('other', { text: ['zzz'] })];
  const prefilter = layoutPrefilter([other, cde, abcdef, bcd, abc]);
  t.strictSame(prefilter.candidates(view([]), 'x abcdef x'), [cde, abcdef, bcd, abc], 'in the given order');
  t.strictSame(prefilter.candidates(view([]), 'abcde'), [cde, bcd, abc]);
  t.strictSame(prefilter.candidates(view([]), 'a.c (x) [y] $'), [], 'regex characters in the text are text');
  const special = layout('special', { text: ['a.c (x) [y] $'] });
  t.strictSame(layoutPrefilter([special]).candidates(view([]), '-- a.c (x) [y] $ --'), [special], 'and in the phrases too');
});

t.test('header fields, From and Subject needs, and layouts that state none', async t => {
  const byHeader = layout('h', { header: ['x-failed-recipients'] });
  const byFrom = layout('f', { from: ['@example.org'] });
  const bySubject = layout('s', { subject: ['mail system error'] });
  const always = layout('a', undefined);
  const prefilter = layoutPrefilter([byHeader, byFrom, bySubject, always]);
  t.strictSame(prefilter.candidates(view([]), ''), [always]);
  t.strictSame(prefilter.candidates(view([['x-failed-recipients', '']]), ''), [byHeader, always], 'an empty field is still present');
  t.strictSame(prefilter.candidates(view([['from', 'X <A@Example.ORG>']]), ''), [byFrom, always], 'From compared lower-cased');
  t.strictSame(prefilter.candidates(view([['from', 'a@b.example'], ['from', 'a@example.org']]), ''), [always], 'the first From only, as the layouts read it');
  t.strictSame(prefilter.candidates(view([], 'Mail System Error - Returned Mail'), ''), [bySubject, always], 'Subject start, lower-cased');
  t.strictSame(prefilter.candidates(view([], 'Re: Mail System Error'), ''), [always], 'not elsewhere in the Subject');
});
