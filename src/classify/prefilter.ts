// A literal prefilter for the rule regexes (the Hyperscan/RE2-set idea, small): for each regex
// we extract lower-case literals of which at least one must occur in any text it matches; one
// Aho-Corasick pass over the lower-cased text then says which regexes can possibly match, and
// only those run. Testing ~80 case-insensitive alternations one by one cost ~15 µs per record;
// the pass costs well under 1 µs. Extraction is conservative: whatever it does not understand
// yields "no literal", and such a regex simply always runs.

const MIN = 3;
// Literals are cut to their first MAX chars before indexing: any piece of a required literal is
// still required, and a small automaton stays in cache (measured: 3000 nodes → ~15 ns/char).
const MAX = 10;
const LITERAL_ESCAPES = new Set('\\/.-[](){}|^$*+?: ,;!@#%&=<>\'"`~'.split(''));

type Req = string[] | null;

/** Index of the `)` closing the group opened at `i`, or -1. */
function closeParen(s: string, i: number): number {
  let depth = 0;
  for (let k = i; k < s.length; k++) {
    const c = s[k];
    if (c === '\\') { k++; continue; }
    if (c === '[') { const e = closeClass(s, k); if (e < 0) return -1; k = e; continue; }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return k;
  }
  return -1;
}

function closeClass(s: string, i: number): number {
  if (s[i + 1] === ']' || (s[i + 1] === '^' && s[i + 2] === ']')) return -1; // `[]`, `[^]`: leave alone
  for (let k = i + 1; k < s.length; k++) {
    if (s[k] === '\\') k++;
    else if (s[k] === ']') return k;
  }
  return -1;
}

function splitTop(s: string): string[] | null {
  const out: string[] = [];
  let start = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s[k];
    if (c === '\\') { k++; continue; }
    if (c === '[') { const e = closeClass(s, k); if (e < 0) return null; k = e; continue; }
    if (c === '(') { const e = closeParen(s, k); if (e < 0) return null; k = e; continue; }
    if (c === '|') { out.push(s.slice(start, k)); start = k + 1; }
  }
  out.push(s.slice(start));
  return out;
}

/** Reads a quantifier at `i`: [length, optional?], or [0, false] when there is none. */
function quantifier(s: string, i: number): [number, boolean] | null {
  const c = s[i];
  let len = 0;
  let optional = false;
  if (c === '?' || c === '*') { len = 1; optional = true; }
  else if (c === '+') len = 1;
  else if (c === '{') {
    const m = /^\{(\d+)(,\d*)?\}/.exec(s.slice(i));
    if (!m) return null; // a literal `{` in non-unicode mode: too clever, give up
    len = m[0].length;
    optional = Number(m[1]) === 0;
  } else return [0, false];
  if (s[i + len] === '?') len++; // lazy
  return [len, optional];
}

/** Literals one of which every match of `source` contains; null when none can be proven. */
export function requiredLiterals(source: string): Req {
  const branches = splitTop(source);
  if (!branches) return null;
  const all: string[] = [];
  for (const b of branches) {
    const r = branchLiterals(b);
    if (!r) return null;
    all.push(...r);
  }
  return [...new Set(all)];
}

function branchLiterals(b: string): Req {
  let best: Req = null;
  const consider = (r: Req) => {
    if (!r || r.some(x => x.length < MIN)) return;
    const score = (x: string[]) => Math.min(...x.map(y => y.length)) - x.length;
    if (!best || score(r) > score(best)) best = r;
  };
  let run = '';
  const flush = () => { consider(run ? [run] : null); run = ''; };
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    let lit: string | null = null;
    let group: Req = null;
    let end = i + 1;
    if (c === '\\') {
      const n = b[i + 1];
      if (n === undefined) return null;
      if (LITERAL_ESCAPES.has(n)) lit = n;
      else if (!'bBdDwWsSnrtfv'.includes(n)) return null; // \x \u \p \k \1 ...: not worth it
      end = i + 2;
    } else if (c === '[') {
      const e = closeClass(b, i);
      if (e < 0) return null;
      end = e + 1;
    } else if (c === '(') {
      const e = closeParen(b, i);
      if (e < 0) return null;
      const inner = b.slice(i + 1, e);
      end = e + 1;
      if (inner.startsWith('?=') || inner.startsWith('?!') || inner.startsWith('?<=') || inner.startsWith('?<!')) group = null;
      else group = requiredLiterals(inner.replace(/^\?(:|<[A-Za-z_$][\w$]*>)/, ''));
    } else if (c === '.' || c === '^' || c === '$') {
      // any char / anchors: end the run
    } else if (c === ')' || c === '|' || c === '*' || c === '+' || c === '?' || c === '{') {
      return null; // malformed for us (e.g. a leading quantifier)
    } else {
      if (c.charCodeAt(0) > 127) return null; // case folding beyond ASCII: stay out
      lit = c.toLowerCase();
    }
    const q = quantifier(b, end);
    if (!q) return null;
    const [qlen, optional] = q;
    if (lit !== null && !optional && qlen === 0) run += lit;
    else if (lit !== null && !optional) { run += lit; flush(); }
    else {
      flush();
      if (group && !optional) consider(group);
    }
    i = end + qlen;
  }
  flush();
  return best;
}

/**
 * The prefilter's answer for one text: `stamp[id] === epoch` means regex `id` may match.
 * Stamping a buffer owned by the index avoids allocating a typed array per record (measured
 * ~0.6 µs each); the answer is only valid until the next `candidates()` call.
 */
export interface Candidates {
  stamp: Uint32Array;
  epoch: number;
  /** The marked ids, ascending. */
  hits: number[];
}

/** Aho-Corasick automaton over the literals of many regexes (ids 0..n-1). */
export class LiteralIndex {
  private readonly alpha = new Int16Array(128);
  private readonly width: number;
  private readonly next: Uint16Array | Int32Array;
  private readonly out: number[][];
  /** 1 where `out` is not empty, so the hot loop touches `out` only on hits. */
  private readonly term: Uint8Array;
  /** Ids whose regex has no provable literal: always candidates. */
  private readonly always: number[];
  private readonly stamp: Uint32Array;
  private epoch = 0;

  constructor(readonly size: number, reqs: readonly Req[]) {
    const chars = new Set<string>();
    for (const r of reqs) for (const l of r ?? []) for (const ch of l) chars.add(ch);
    let w = 1; // symbol 0: any char no literal contains
    for (const ch of chars) this.alpha[ch.charCodeAt(0)] = w++;
    this.width = w;
    const trie: number[][] = [new Array<number>(w).fill(-1)];
    const out: number[][] = [[]];
    reqs.forEach((r, id) => {
      for (const l of new Set((r ?? []).map(x => x.slice(0, MAX)))) {
        let n = 0;
        for (const ch of l) {
          const sym = this.alpha[ch.charCodeAt(0)]!;
          if (trie[n]![sym]! < 0) { trie[n]![sym] = trie.length; trie.push(new Array<number>(w).fill(-1)); out.push([]); }
          n = trie[n]![sym]!;
        }
        if (!out[n]!.includes(id)) out[n]!.push(id);
      }
    });
    // Breadth-first: resolve failure links into a full transition table.
    this.next = trie.length < 0xffff ? new Uint16Array(trie.length * w) : new Int32Array(trie.length * w);
    const fail = new Int32Array(trie.length);
    const queue: number[] = [];
    for (let s = 0; s < w; s++) {
      const t = trie[0]![s]!;
      this.next[s] = t < 0 ? 0 : t;
      if (t > 0) queue.push(t);
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const n = queue[qi]!;
      for (const id of out[fail[n]!]!) if (!out[n]!.includes(id)) out[n]!.push(id);
      for (let s = 0; s < w; s++) {
        const t = trie[n]![s]!;
        const via = this.next[fail[n]! * w + s]!;
        if (t < 0) this.next[n * w + s] = via;
        else { fail[t] = via; this.next[n * w + s] = t; queue.push(t); }
      }
    }
    this.out = out;
    this.term = Uint8Array.from(out, o => (o.length ? 1 : 0));
    this.always = reqs.flatMap((r, id) => (r ? [] : [id]));
    this.stamp = new Uint32Array(size);
  }

  /** Marks every id whose regex may match `text`; ids left unmarked cannot match. */
  candidates(text: string): Candidates {
    if (this.epoch === 0xffffffff) { this.stamp.fill(0); this.epoch = 0; }
    const epoch = ++this.epoch;
    const { alpha, next, out, term, width, stamp } = this;
    const hits = [...this.always];
    for (const id of hits) stamp[id] = epoch;
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 65 && c <= 90) c += 32; // ASCII lower-case; beyond ASCII no literal applies
      n = next[n * width + (c < 128 ? alpha[c]! : 0)]!;
      if (term[n] === 1) {
        for (const id of out[n]!) if (stamp[id] !== epoch) { stamp[id] = epoch; hits.push(id); }
      }
    }
    hits.sort((x, y) => x - y);
    return { stamp, epoch, hits };
  }
}
