// Validates one parsed rule-pack document and compiles it. Rule packs are reviewed like code
// but written by hand (and by operators), so every mistake — a typo'd key, an unknown reason,
// a regex that does not compile — is collected with file, rule id and field, never thrown
// one at a time (docs/rules.md, "Validation").
import type { ReportKind } from '../domain/report.js';
import { ACTIONS, isOneOf, REASONS, SIDES, STAGES, type Action, type Stage } from '../domain/vocab.js';
import { compileCodes, compileRegexList, compileStatus } from './matchers.js';
import { KINDS, LEVELS, type CompiledProvider, type CompiledRule, type SampleDefaults, type SampleSpec } from './types.js';

const TOP_KEYS = ['pack', 'version', 'providers', 'sample_defaults', 'rules', 'note'];
const PROVIDER_KEYS = ['id', 'family', 'hosts', 'text', 'generators', 'domains', 'note'];
const RULE_KEYS = ['id', 'level', 'match', 'reason', 'side', 'detail', 'source', 'samples', 'note'];
const MATCH_KEYS = ['provider', 'status', 'code', 'text', 'stage', 'host', 'kind', 'action', 'domain', 'diagnostic_type'];
const SAMPLE_KEYS = ['text', 'host', 'stage', 'status', 'recipient', 'generator', 'kind', 'action', 'diagnostic_type'];
const NAME = /^[a-z0-9][a-z0-9_.-]*$/;
const DETAIL = /^[a-z0-9_]+\.[a-z0-9_.]+$/;
const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
const DIAGNOSTIC_TYPE = /^[a-z0-9][a-z0-9-]*$/;
/**
 * The condition that defines each level (DESIGN.md precedence). `provider` is also where facts
 * about the whole report go — its kind (an ARF complaint, an auto-reply), the record's action (a
 * positive DSN), the recipient's domain (a Google Group), the Diagnostic-Code type: a rule keyed
 * on them must beat any wording, so it sits at the first level.
 */
const DEFINING = {
  provider: ['provider', 'host', 'text', 'kind', 'action', 'domain', 'diagnostic_type'],
  text: ['text'], status: ['status'], reply: ['code', 'status'],
} as const;

export interface CompiledPack {
  pack: string;
  version: number;
  providers: CompiledProvider[];
  rules: Omit<CompiledRule, 'ordinal'>[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string or a list of strings, as a list; null (with a problem) for anything else. */
function strList(v: unknown, where: string, problems: string[]): string[] | null {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every(x => typeof x === 'string')) return v as string[];
  problems.push(`${where}: expected a string or a list of strings`);
  return null;
}

function unknownKeys(o: Obj, allowed: string[], where: string, problems: string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) problems.push(`${where}: unknown key "${k}" (allowed: ${allowed.join(', ')})`);
  }
}

function sampleSpec(v: unknown, where: string, problems: string[], needText: boolean): SampleSpec | null {
  if (typeof v === 'string') {
    if (v.trim() === '') problems.push(`${where}: empty sample`);
    return { text: v };
  }
  if (!isObj(v)) {
    problems.push(`${where}: expected a reply string or an object with "text"`);
    return null;
  }
  const before = problems.length;
  unknownKeys(v, needText ? SAMPLE_KEYS : SAMPLE_KEYS.filter(k => k !== 'text'), where, problems);
  // An empty text is a real case (a provider's own bounce with no reply at all), but only with
  // the status the record would then carry; a missing text is always a typo.
  if (needText && (typeof v.text !== 'string' || (v.text.trim() === '' && typeof v.status !== 'string'))) problems.push(`${where}.text: required (may be '' only with a status)`);
  for (const k of ['status', 'recipient', 'generator', 'diagnostic_type'] as const) {
    if (v[k] !== undefined && typeof v[k] !== 'string') problems.push(`${where}.${k}: expected a string`);
  }
  if (v.host !== undefined && v.host !== null && typeof v.host !== 'string') problems.push(`${where}.host: expected a string or null`);
  if (v.stage !== undefined && !isOneOf(STAGES, v.stage)) problems.push(`${where}.stage: unknown stage "${String(v.stage)}" (${STAGES.join(', ')})`);
  if (v.kind !== undefined && !isOneOf(KINDS, v.kind)) problems.push(`${where}.kind: unknown report kind "${String(v.kind)}" (${KINDS.join(', ')})`);
  if (v.action !== undefined && !isOneOf(ACTIONS, v.action)) problems.push(`${where}.action: unknown action "${String(v.action)}" (${ACTIONS.join(', ')})`);
  return problems.length === before ? (v as unknown as SampleSpec) : null;
}

function compileProvider(v: unknown, i: number, file: string, problems: string[]): CompiledProvider | null {
  const where0 = `${file}: provider #${i + 1}`;
  if (!isObj(v)) return (problems.push(`${where0}: expected an object`), null);
  const where = typeof v.id === 'string' ? `${file}: provider "${v.id}"` : where0;
  const before = problems.length;
  unknownKeys(v, PROVIDER_KEYS, where, problems);
  if (typeof v.id !== 'string' || !NAME.test(v.id)) problems.push(`${where}: id: required, lower-case [a-z0-9_.-]`);
  if (typeof v.family !== 'string' || !NAME.test(v.family)) problems.push(`${where}: family: required, lower-case [a-z0-9_.-]`);
  const regex = (k: 'hosts' | 'text'): RegExp | null => {
    if (v[k] === undefined) return null;
    const l = strList(v[k], `${where}: ${k}`, problems);
    if (!l || l.length === 0) return null;
    const c = compileRegexList(l);
    if (!c.ok) return (problems.push(`${where}: ${k}: ${c.error}`), null);
    return c.value;
  };
  const hosts = regex('hosts');
  const text = regex('text');
  const lower = (k: 'generators' | 'domains'): Set<string> =>
    new Set(v[k] === undefined ? [] : (strList(v[k], `${where}: ${k}`, problems) ?? []).map(s => s.toLowerCase()));
  const generators = lower('generators');
  const domains = lower('domains');
  if (problems.length > before) return null;
  return { id: v.id as string, family: v.family as string, hosts, text, textId: -1, generators, domains, file };
}

function compileRule(v: unknown, i: number, pack: string, file: string, defaults: SampleDefaults, problems: string[]) {
  const where0 = `${file}: rule #${i + 1}`;
  if (!isObj(v)) return (problems.push(`${where0}: expected an object`), null);
  const where = typeof v.id === 'string' ? `${file}: rule "${pack}/${v.id}"` : where0;
  const before = problems.length;
  unknownKeys(v, RULE_KEYS, where, problems);
  if (typeof v.id !== 'string' || !NAME.test(v.id)) problems.push(`${where}: id: required, lower-case [a-z0-9_.-]`);
  if (!isOneOf(LEVELS, v.level)) problems.push(`${where}: level: unknown level "${String(v.level)}" (${LEVELS.join(', ')})`);
  if (!isOneOf(REASONS, v.reason)) problems.push(`${where}: reason: unknown reason "${String(v.reason)}"`);
  if (!isOneOf(SIDES, v.side)) problems.push(`${where}: side: unknown side "${String(v.side)}" (${SIDES.join(', ')})`);
  if (v.detail !== undefined && (typeof v.detail !== 'string' || !DETAIL.test(v.detail))) {
    problems.push(`${where}: detail: expected "<prefix>.<name>" in lower case, e.g. microsoft.group_restricted`);
  }
  if (typeof v.source !== 'string' || v.source.trim() === '') problems.push(`${where}: source: required (URL or RFC section it was written from)`);
  const samples: SampleSpec[] = [];
  if (!Array.isArray(v.samples) || v.samples.length === 0) problems.push(`${where}: samples: at least one sample reply is required`);
  else v.samples.forEach((s, j) => { const x = sampleSpec(s, `${where}: samples[${j}]`, problems, true); if (x) samples.push(x); });

  const m = v.match;
  let providers: Set<string> | null = null, status = null, code = null, text = null, host = null;
  let stages: Set<Stage> | null = null;
  let kinds: Set<ReportKind> | null = null;
  let actions: Set<Action> | null = null;
  let domains: string[] | null = null;
  let diagnosticTypes: Set<string> | null = null;
  if (!isObj(m) || Object.keys(m).length === 0) problems.push(`${where}: match: required, with at least one condition`);
  else {
    unknownKeys(m, MATCH_KEYS, `${where}: match`, problems);
    const list = (k: string) => (m[k] === undefined ? null : strList(m[k], `${where}: match.${k}`, problems));
    const pl = list('provider');
    if (pl) providers = new Set(pl.map(s => s.toLowerCase()));
    const sl = list('status');
    if (sl) { const c = compileStatus(sl); if (c.ok) status = c.value; else problems.push(`${where}: match.status: ${c.error}`); }
    const cl = list('code');
    if (cl) { const c = compileCodes(cl); if (c.ok) code = c.value; else problems.push(`${where}: match.code: ${c.error}`); }
    for (const k of ['text', 'host'] as const) {
      const l = list(k);
      if (!l) continue;
      const c = compileRegexList(l);
      if (!c.ok) problems.push(`${where}: match.${k}: ${c.error}`);
      else if (k === 'text') text = c.value;
      else host = c.value;
    }
    const st = list('stage');
    if (st) {
      for (const s of st) if (!isOneOf(STAGES, s)) problems.push(`${where}: match.stage: unknown stage "${s}" (${STAGES.join(', ')})`);
      stages = new Set(st as Stage[]);
    }
    const kl = list('kind');
    if (kl) {
      for (const k of kl) if (!isOneOf(KINDS, k)) problems.push(`${where}: match.kind: unknown report kind "${k}" (${KINDS.join(', ')})`);
      kinds = new Set(kl as ReportKind[]);
    }
    const al = list('action');
    if (al) {
      for (const a of al) if (!isOneOf(ACTIONS, a)) problems.push(`${where}: match.action: unknown action "${a}" (${ACTIONS.join(', ')})`);
      actions = new Set(al as Action[]);
    }
    const dl = list('domain');
    if (dl) {
      for (const d of dl) if (!DOMAIN.test(d)) problems.push(`${where}: match.domain: "${d}" is not a lower-case domain name`);
      domains = dl;
    }
    const tl = list('diagnostic_type');
    if (tl) {
      for (const d of tl) if (!DIAGNOSTIC_TYPE.test(d)) problems.push(`${where}: match.diagnostic_type: "${d}" is not a lower-case type name (smtp, x-unix, ...)`);
      diagnosticTypes = new Set(tl);
    }
    // Each level has a condition that defines it (DESIGN.md precedence); a rule without it
    // would sit at the wrong precedence and silently shadow or be shadowed. A reply-level rule
    // may use the status instead, for a status that tells nothing but its class (4.0.0).
    if (isOneOf(LEVELS, v.level) && !DEFINING[v.level].some(k => m[k] !== undefined)) {
      problems.push(`${where}: match: a ${v.level}-level rule needs match.${DEFINING[v.level].join(' or match.')}`);
    }
    if (m.provider !== undefined && v.level !== 'provider') problems.push(`${where}: match.provider: only allowed at level "provider"`);
  }
  if (problems.length > before) return null;
  return {
    id: `${pack}/${v.id as string}`, pack, file, level: v.level as CompiledRule['level'],
    providers, status, code, text, textId: -1, gated: false, stages, host, kinds, actions, domains, diagnosticTypes,
    reason: v.reason as CompiledRule['reason'], side: v.side as CompiledRule['side'],
    detail: v.detail as string | undefined, source: v.source as string, samples, sampleDefaults: defaults,
  };
}

/** Validates and compiles one document; problems are appended, never thrown. */
export function compilePack(doc: unknown, file: string, problems: string[]): CompiledPack | null {
  if (!isObj(doc)) return (problems.push(`${file}: expected a mapping with pack, version, rules`), null);
  const before = problems.length;
  unknownKeys(doc, TOP_KEYS, file, problems);
  const pack = typeof doc.pack === 'string' && NAME.test(doc.pack) ? doc.pack : null;
  if (!pack) problems.push(`${file}: pack: required, lower-case [a-z0-9_.-]`);
  if (doc.version !== 1) problems.push(`${file}: version: must be 1`);
  let defaults: SampleDefaults = {};
  if (doc.sample_defaults !== undefined) defaults = sampleSpec(doc.sample_defaults, `${file}: sample_defaults`, problems, false) ?? {};
  const providers: CompiledProvider[] = [];
  if (doc.providers !== undefined && !Array.isArray(doc.providers)) problems.push(`${file}: providers: expected a list`);
  else (doc.providers as unknown[] | undefined)?.forEach((p, i) => { const c = compileProvider(p, i, file, problems); if (c) providers.push(c); });
  const rules: Omit<CompiledRule, 'ordinal'>[] = [];
  if (doc.rules !== undefined && !Array.isArray(doc.rules)) problems.push(`${file}: rules: expected a list`);
  else (doc.rules as unknown[] | undefined)?.forEach((r, i) => { const c = compileRule(r, i, pack ?? '?', file, defaults, problems); if (c) rules.push(c); });
  if (problems.length > before || !pack) return null;
  return { pack, version: 1, providers, rules };
}
