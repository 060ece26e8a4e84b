// Reads rule-pack files in the order given (operator files first, then the shipped packs),
// checks what only the whole set can tell (duplicate ids, provider references) and builds the
// per-level indexes classify() walks. Everything expensive happens here, once.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { AppError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { compilePack } from './pack.js';
import { LiteralIndex, requiredLiterals } from './prefilter.js';
import { LEVELS, type CompiledProvider, type CompiledRule, type LevelIndex, type PackInfo } from './types.js';

export interface RuleSet {
  files: readonly string[];
  packs: readonly PackInfo[];
  /** Provider detectors in load order (first match wins within each detection step). */
  providers: readonly CompiledProvider[];
  /** Every rule in evaluation order: level precedence, then load order. */
  rules: readonly CompiledRule[];
  /** One index per level, in precedence order. */
  levels: readonly LevelIndex[];
  /** Which `text` regexes (rules' and providers') can match a text at all (prefilter.ts). */
  prefilter: LiteralIndex;
  /** Rule owning each prefilter slot (providers' slots come after and have none). */
  byTextId: readonly CompiledRule[];
}

function readDoc(file: string, problems: string[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${file}: cannot read: ${(err as Error).message}`);
    return undefined;
  }
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return undefined; // empty stream: reported by compilePack
  if (docs.length !== 1) problems.push(`${file}: expected exactly one YAML document, found ${docs.length}`);
  const doc = docs[0];
  if (!doc) return undefined;
  for (const e of doc.errors) problems.push(`${file}: YAML: ${e.message.split('\n')[0]}`);
  return doc.errors.length ? undefined : doc.toJS();
}

function buildIndex(level: (typeof LEVELS)[number], rules: CompiledRule[]): LevelIndex {
  const byKey = new Map<string, CompiledRule[]>();
  const rest: CompiledRule[] = [];
  for (const r of rules) {
    const keys = level === 'reply'
      ? (r.code && r.code.pattern === null ? r.code.exact : null)
      : (r.status && r.status.patterns.length === 0 ? r.status.exact : null);
    if (!keys) { r.gated = r.text !== null; rest.push(r); continue; }
    for (const k of keys) {
      const list = byKey.get(k);
      if (list) list.push(r); else byKey.set(k, [r]);
    }
  }
  return { level, byKey, rest, plain: rest.filter(r => !r.gated) };
}

/** Gives every text regex a prefilter slot and builds the literal index over them. */
function buildPrefilter(items: Array<{ text: RegExp | null; textId: number }>): LiteralIndex {
  const reqs: Array<string[] | null> = [];
  for (const it of items) {
    if (it.text === null) continue;
    it.textId = reqs.length;
    reqs.push(requiredLiterals(it.text.source));
  }
  return new LiteralIndex(reqs.length, reqs);
}

/**
 * Loads, validates and compiles the given files, in order. Throws AppError RULES_INVALID whose
 * `details` lists every problem found (file, rule id, field), not just the first.
 */
export function loadRuleSet(files: string[]): RuleSet {
  const problems: string[] = [];
  const packs: PackInfo[] = [];
  const providers: CompiledProvider[] = [];
  const rules: CompiledRule[] = [];
  const seenRule = new Map<string, string>();
  const family = new Map<string, string>();
  if (files.length === 0) problems.push('no rule files given');
  for (const file of files) {
    const before = problems.length;
    const doc = readDoc(file, problems);
    if (problems.length > before) continue;
    const pack = compilePack(doc, file, problems);
    if (!pack) continue;
    const ids = new Set<string>();
    for (const p of pack.providers) {
      if (ids.has(p.id)) problems.push(`${file}: provider "${p.id}": duplicate provider id in this file`);
      ids.add(p.id);
      const f = family.get(p.id);
      if (f !== undefined && f !== p.family) problems.push(`${file}: provider "${p.id}": family "${p.family}" differs from "${f}" declared earlier`);
      family.set(p.id, p.family);
      providers.push(p);
    }
    for (const r of pack.rules) {
      const prev = seenRule.get(r.id);
      if (prev !== undefined) problems.push(`${file}: rule "${r.id}": id: duplicate rule id (first defined in ${prev})`);
      seenRule.set(r.id, file);
      rules.push({ ...r, ordinal: rules.length });
    }
    packs.push({ pack: pack.pack, version: pack.version, file, rules: pack.rules.length, providers: pack.providers.length });
  }
  // A rule naming a provider nobody declares would never fire: almost always a typo.
  const known = new Set<string>(['other']);
  for (const p of providers) { known.add(p.id); known.add(p.family); }
  for (const r of rules) {
    for (const p of r.providers ?? []) {
      if (!known.has(p)) problems.push(`${r.file}: rule "${r.id}": match.provider: unknown provider or family "${p}"`);
    }
  }
  if (problems.length) {
    throw new AppError('RULES_INVALID', `rule packs invalid: ${problems.length} problem(s)`, problems);
  }
  const order = (r: CompiledRule) => LEVELS.indexOf(r.level);
  const sorted = [...rules].sort((a, b) => order(a) - order(b) || a.ordinal - b.ordinal);
  const levels = LEVELS.map(l => buildIndex(l, sorted.filter(r => r.level === l)));
  // Slots follow evaluation order, so the prefilter's ascending hits are in evaluation order too.
  const prefilter = buildPrefilter([...sorted, ...providers]);
  const byTextId = sorted.filter(r => r.text !== null);
  return { files: [...files], packs, providers, rules: sorted, levels, prefilter, byTextId };
}

/**
 * The shipped packs, `config/rules/*.yaml`, sorted by name. Works from src/ (tap) and from
 * dist/src/ (after tsc) because it walks up to the package root instead of assuming a depth.
 */
export function shippedRuleFiles(): string[] {
  const dir = resolve(packageRoot(), 'config', 'rules');
  return readdirSync(dir).filter(f => f.endsWith('.yaml')).sort().map(f => join(dir, f));
}
