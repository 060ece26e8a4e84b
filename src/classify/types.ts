// The compiled form of the rule packs in config/rules/. The YAML is validated and turned into
// these values once (loadRuleSet), so classify() only runs precompiled matchers and never
// touches strings it would have to parse again.
import type { ReportKind } from '../domain/report.js';
import type { Action, Reason, Side, Stage } from '../domain/vocab.js';
import type { RuleLevel } from '../domain/verdict.js';

/** Levels a rule can be written at (`fallback` is the engine's own last answer). */
export type Level = Exclude<RuleLevel, 'fallback'>;
export const LEVELS: readonly Level[] = ['provider', 'text', 'status', 'reply'];

/** Report kinds a rule can name in `match.kind`: every ReportKind (a record, so a new kind in
 *  src/domain/report.ts fails to compile here until it is listed). */
const KIND_SET: Record<ReportKind, true> = { dsn: true, ndr: true, arf: true, autoreply: true, not_bounce: true };
export const KINDS = Object.keys(KIND_SET) as ReportKind[];

/** One sample reply of a rule, as written in the pack (a bare string becomes `{ text }`). */
export interface SampleSpec {
  text: string;
  /** Remote MTA host; `null` means "the report names no remote host" (e.g. a Microsoft NDR). */
  host?: string | null;
  stage?: Stage;
  /** The DSN `Status:` field, used when the reply text carries no enhanced code. */
  status?: string;
  recipient?: string;
  generator?: string;
  /** The report kind (`arf`, `autoreply`, ...); default `ndr` with a generator, else `dsn`. */
  kind?: ReportKind;
  /** The record's RFC 3464 action; default from the status class. */
  action?: Action;
  /** The Diagnostic-Code type (`smtp`, `x-unix`, ...); default `smtp`. */
  diagnostic_type?: string;
}

/** Pack-level defaults for samples (`sample_defaults:`). */
export type SampleDefaults = Omit<SampleSpec, 'text'>;

/** Parsed enhanced status `class.subject.detail`, or null when absent/malformed. */
export type StatusTriple = readonly [number, number, number];

export interface StatusMatcher {
  /** Exact codes (`5.7.1`), used to index the rule. */
  exact: ReadonlySet<string>;
  /** Patterns (`5.7.606-649`, `5.7.13[3-6]`, `4.*.*`) as predicates over the parsed triple. */
  patterns: ReadonlyArray<(s: StatusTriple) => boolean>;
}

export interface CodeMatcher {
  exact: ReadonlySet<string>;
  /** `5xx`, `55x`: compiled to one anchored regex, or null when every entry is exact. */
  pattern: RegExp | null;
}

export interface CompiledProvider {
  id: string;
  family: string;
  /** One alternation of the provider's host regexes (case-insensitive), or null. */
  hosts: RegExp | null;
  text: RegExp | null;
  /** Slot of `text` in the rule set's literal prefilter, -1 without text. */
  textId: number;
  generators: ReadonlySet<string>;
  domains: ReadonlySet<string>;
  file: string;
}

export interface CompiledRule {
  /** Full id `<pack>/<id>`. */
  id: string;
  pack: string;
  file: string;
  /** Position in evaluation order across all files (load order, then position in file). */
  ordinal: number;
  level: Level;
  providers: ReadonlySet<string> | null;
  status: StatusMatcher | null;
  code: CodeMatcher | null;
  text: RegExp | null;
  /** Slot of `text` in the rule set's literal prefilter, -1 without text. */
  textId: number;
  /** Unindexed and with text: evaluated only when the prefilter lists its textId. */
  gated: boolean;
  stages: ReadonlySet<Stage> | null;
  host: RegExp | null;
  /** Report kinds (`match.kind`), record actions (`match.action`), recipient domains
   *  (`match.domain`, a listed domain or any subdomain of it) and Diagnostic-Code types
   *  (`match.diagnostic_type`), lower-case. */
  kinds: ReadonlySet<ReportKind> | null;
  actions: ReadonlySet<Action> | null;
  domains: readonly string[] | null;
  diagnosticTypes: ReadonlySet<string> | null;
  reason: Reason;
  side: Side;
  detail: string | undefined;
  source: string;
  samples: readonly SampleSpec[];
  sampleDefaults: SampleDefaults;
}

/** Rules of one level, indexed by their exact status (or reply code, for `reply`). */
export interface LevelIndex {
  level: Level;
  /** Rules that list only exact keys, by key; each array in evaluation order. */
  byKey: ReadonlyMap<string, readonly CompiledRule[]>;
  /** Rules that cannot be indexed (patterns, or no status/code condition), in order. */
  rest: readonly CompiledRule[];
  /** The part of `rest` without a text condition; the rest of `rest` is reached through the
   *  prefilter's hits, so rules whose words are absent are never even looked at. */
  plain: readonly CompiledRule[];
}

export interface PackInfo {
  pack: string;
  version: number;
  file: string;
  rules: number;
  providers: number;
}
