// Compiles the small condition languages of a rule (status patterns, reply-code patterns,
// regex lists) once, at load time, into predicates that classify() can call cheaply. Each
// compiler returns an error string instead of throwing, so the loader can report every problem
// of every file in one go.
import type { CodeMatcher, StatusMatcher, StatusTriple } from './types.js';

export type Compiled<T> = { ok: true; value: T } | { ok: false; error: string };

const EXACT_STATUS = /^[245]\.\d{1,3}\.\d{1,3}$/;
const DIGITS = /^\d{1,3}$/;
const RANGE = /^(\d{1,3})-(\d{1,3})$/;
const CLASSED = /^(?:\d|\[\d(?:-\d)?(?:\d(?:-\d)?)*\])+$/;

/** `5.7.1` → [5, 7, 1]; null for anything that is not a well-formed enhanced status. */
export function parseStatus(status: string | undefined): StatusTriple | null {
  if (!status) return null;
  const a = status.split('.');
  if (a.length !== 3) return null;
  const c = Number(a[0]);
  const s = Number(a[1]);
  const d = Number(a[2]);
  if (!Number.isInteger(c) || !Number.isInteger(s) || !Number.isInteger(d)) return null;
  return [c, s, d];
}

function component(src: string): Compiled<(n: number) => boolean> {
  if (src === '*') return { ok: true, value: () => true };
  if (DIGITS.test(src)) {
    const n = Number(src);
    return { ok: true, value: v => v === n };
  }
  const r = RANGE.exec(src);
  if (r) {
    const lo = Number(r[1]);
    const hi = Number(r[2]);
    if (lo > hi) return { ok: false, error: `range ${src} is empty` };
    return { ok: true, value: v => v >= lo && v <= hi };
  }
  if (CLASSED.test(src)) {
    const re = new RegExp(`^${src}$`);
    return { ok: true, value: v => re.test(String(v)) };
  }
  return { ok: false, error: `"${src}" is not a number, *, N-M range or [..] digit class` };
}

/**
 * Status patterns: exact `5.7.1`; or three dot-separated components, each a number, `*`,
 * an inclusive range `606-649`, or digits with classes `13[3-6]` (e.g. `4.*.*`, `[45].2.2`).
 */
export function compileStatus(entries: string[]): Compiled<StatusMatcher> {
  const exact = new Set<string>();
  const patterns: Array<(s: StatusTriple) => boolean> = [];
  for (const e of entries) {
    if (EXACT_STATUS.test(e)) {
      exact.add(String(parseStatus(e)!.join('.')));
      continue;
    }
    const parts = e.split('.');
    if (parts.length !== 3) return { ok: false, error: `"${e}" is not a status pattern (class.subject.detail)` };
    const fns: Array<(n: number) => boolean> = [];
    for (const p of parts) {
      const c = component(p);
      if (!c.ok) return { ok: false, error: `"${e}": ${c.error}` };
      fns.push(c.value);
    }
    const [fc, fs, fd] = fns as [(n: number) => boolean, (n: number) => boolean, (n: number) => boolean];
    if (![2, 4, 5].some(fc)) return { ok: false, error: `"${e}": class must be 2, 4 or 5` };
    patterns.push(s => fc(s[0]) && fs(s[1]) && fd(s[2]));
  }
  return { ok: true, value: { exact, patterns } };
}

export function statusMatches(m: StatusMatcher, status: string, triple: StatusTriple | null): boolean {
  if (m.exact.has(status)) return true;
  if (triple === null) return false;
  for (const p of m.patterns) if (p(triple)) return true;
  return false;
}

/** Reply codes: exact `550`, or `x` as a digit wildcard (`5xx`, `55x`). */
export function compileCodes(entries: string[]): Compiled<CodeMatcher> {
  const exact = new Set<string>();
  const pats: string[] = [];
  for (const e of entries) {
    if (/^[245]\d\d$/.test(e)) exact.add(e);
    else if (/^[245][\dx][\dx]$/.test(e)) pats.push(e.replace(/x/g, '\\d'));
    else return { ok: false, error: `"${e}" is not a reply code (550) or pattern (5xx, 55x)` };
  }
  return { ok: true, value: { exact, pattern: pats.length ? new RegExp(`^(?:${pats.join('|')})$`) : null } };
}

export function codeMatches(m: CodeMatcher, code: string | undefined): boolean {
  if (code === undefined) return false;
  return m.exact.has(code) || (m.pattern !== null && m.pattern.test(code));
}

/**
 * A list of regex sources becomes one case-insensitive alternation. Each source is checked on
 * its own first so that the error names the bad entry. Inline flags like `(?i)` (PCRE habit)
 * are a syntax error in JavaScript and are reported, not silently accepted.
 */
export function compileRegexList(entries: string[]): Compiled<RegExp> {
  for (const e of entries) {
    if (e === '') return { ok: false, error: 'empty regex' };
    try {
      new RegExp(e, 'i');
    } catch (err) {
      return { ok: false, error: `bad regex /${e}/: ${(err as Error).message}` };
    }
  }
  const src = entries.length === 1 ? entries[0]! : entries.map(e => `(?:${e})`).join('|');
  return { ok: true, value: new RegExp(src, 'i') };
}

