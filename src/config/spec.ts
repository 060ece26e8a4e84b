// A tiny schema language for settings: one declaration per setting gives its type, default,
// bounds, environment variable name and documentation line. We keep it in-house (instead of
// zod & co.) because we also need env-name derivation, duration parsing and a check that
// config/default.yaml documents exactly these settings; the validation itself is ~60 lines.

export interface BaseSpec {
  doc: string;
  /** Never printed or logged (webhook secrets, tokens). */
  secret?: boolean;
}
export interface StringSpec extends BaseSpec { type: 'string'; default: string; enum?: readonly string[]; pattern?: RegExp }
export interface IntSpec extends BaseSpec { type: 'int'; default: number; min?: number; max?: number }
export interface NumberSpec extends BaseSpec { type: 'number'; default: number; min?: number; max?: number }
export interface BoolSpec extends BaseSpec { type: 'bool'; default: boolean }
export interface ListSpec extends BaseSpec { type: 'list'; default: readonly string[]; pattern?: RegExp }
/** Written `500ms`, `15s`, `5m`, `2h`, `30d` (or a number of milliseconds); read as milliseconds. */
export interface DurationSpec extends BaseSpec { type: 'duration'; default: string; min?: string }

export type Spec = StringSpec | IntSpec | NumberSpec | BoolSpec | ListSpec | DurationSpec;
export interface SpecTree { [key: string]: Spec | SpecTree }

/** The TypeScript type of a validated config for a given spec tree. */
export type ConfigOf<T> = {
  readonly [K in keyof T]: T[K] extends StringSpec ? string
    : T[K] extends IntSpec | NumberSpec | DurationSpec ? number
      : T[K] extends BoolSpec ? boolean
        : T[K] extends ListSpec ? string[]
          : ConfigOf<T[K]>;
};

export function isSpec(node: Spec | SpecTree): node is Spec {
  return typeof (node as Spec).type === 'string' && typeof (node as Spec).doc === 'string';
}

/** `smtp.maxMessageBytes` → `BOUNCE_TRIAGE_SMTP_MAX_MESSAGE_BYTES`. */
export function envName(path: readonly string[]): string {
  return 'BOUNCE_TRIAGE_' + path.map(p => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

/** Every leaf of a spec tree with its dotted path, in declaration order. */
export function leaves(tree: SpecTree, prefix: string[] = []): Array<{ path: string[]; spec: Spec }> {
  const out: Array<{ path: string[]; spec: Spec }> = [];
  for (const [key, node] of Object.entries(tree)) {
    if (isSpec(node)) out.push({ path: [...prefix, key], spec: node });
    else out.push(...leaves(node, [...prefix, key]));
  }
  return out;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `15s`, `2h`, `30d`, `1h30m`, or a bare number of milliseconds; undefined if malformed. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    matched = re.lastIndex;
  }
  return matched === s.length && matched > 0 ? total : undefined;
}

/**
 * Checks one raw value against its spec. Returns the typed value or a problem sentence.
 * `fromEnv` values are strings and get coerced (lists are comma-separated).
 */
export function checkValue(spec: Spec, raw: unknown, fromEnv: boolean): { value?: unknown; problem?: string } {
  switch (spec.type) {
    case 'string': {
      if (typeof raw !== 'string') return { problem: `must be a string, got ${describe(raw)}` };
      if (spec.enum && !spec.enum.includes(raw)) return { problem: `must be one of ${spec.enum.join(', ')}, got "${raw}"` };
      if (spec.pattern && raw !== '' && !spec.pattern.test(raw)) return { problem: `has an invalid format` };
      return { value: raw };
    }
    case 'int':
    case 'number': {
      const n = fromEnv && typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) return { problem: `must be a number, got ${describe(raw)}` };
      if (spec.type === 'int' && !Number.isInteger(n)) return { problem: `must be an integer, got ${n}` };
      if (spec.min !== undefined && n < spec.min) return { problem: `must be >= ${spec.min}, got ${n}` };
      if (spec.max !== undefined && n > spec.max) return { problem: `must be <= ${spec.max}, got ${n}` };
      return { value: n };
    }
    case 'bool': {
      if (typeof raw === 'boolean') return { value: raw };
      if (fromEnv && typeof raw === 'string' && /^(true|false|1|0|yes|no)$/i.test(raw.trim())) {
        return { value: /^(true|1|yes)$/i.test(raw.trim()) };
      }
      return { problem: `must be true or false, got ${describe(raw)}` };
    }
    case 'list': {
      const list = fromEnv && typeof raw === 'string'
        ? raw.split(',').map(s => s.trim()).filter(s => s !== '')
        : raw;
      if (!Array.isArray(list) || !list.every(x => typeof x === 'string')) {
        return { problem: `must be a list of strings, got ${describe(raw)}` };
      }
      const pattern = spec.pattern;
      const bad = pattern ? list.findIndex(x => !pattern.test(x)) : -1;
      if (bad >= 0) return { problem: spec.secret ? `item ${bad + 1} has an invalid format` : `item "${list[bad]}" has an invalid format` };
      return { value: list };
    }
    case 'duration': {
      const ms = parseDuration(raw);
      if (ms === undefined) return { problem: `must be a duration like 500ms, 15s, 5m, 2h or 30d, got ${describe(raw)}` };
      const min = spec.min !== undefined ? parseDuration(spec.min) ?? 0 : 0;
      if (ms < min) return { problem: `must be at least ${spec.min}, got ${describe(raw)}` };
      return { value: ms };
    }
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v === 'string' ? `"${v}"` : String(v);
}
