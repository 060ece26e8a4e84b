// Builds the effective config: schema defaults, then the --config YAML file, then BOUNCE_TRIAGE_*
// environment variables (the twelve-factor way containers are configured). Every problem is
// collected and reported at once, each naming its key, so an operator fixes a file in one pass.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { AppError } from '../errors.js';
import { type Config, schema } from './schema.js';
import { checkValue, envName, leaves, type Spec } from './spec.js';

export interface LoadOptions {
  /** Path of a YAML file overriding the defaults (the CLI's --config). */
  file?: string;
  /** Environment to read BOUNCE_TRIAGE_* from (process.env in production, a literal in tests). */
  env?: Record<string, string | undefined>;
  /** Overrides applied last, as dotted paths (used by tests and the CLI, e.g. {'smtp.port': 0}). */
  overrides?: Record<string, unknown>;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const problems: string[] = [];
  let fileValues: Record<string, unknown> = {};
  if (opts.file !== undefined) fileValues = readYaml(opts.file, problems);

  const out: Record<string, unknown> = {};
  const known = new Set<string>();
  for (const { path, spec } of leaves(schema)) {
    const key = path.join('.');
    known.add(key);
    let value: unknown = defaultOf(spec);
    const fromFile = getPath(fileValues, path);
    if (fromFile.found) value = take(spec, fromFile.value, false, `${key} (in ${opts.file})`, problems) ?? value;
    const env = opts.env?.[envName(path)];
    if (env !== undefined) value = take(spec, env, true, `${key} (from ${envName(path)})`, problems) ?? value;
    if (opts.overrides && key in opts.overrides) value = take(spec, opts.overrides[key], false, key, problems) ?? value;
    setPath(out, path, value);
  }
  for (const key of flattenKeys(fileValues)) {
    if (known.has(key)) continue;
    const isSection = [...known].some(k => k.startsWith(key + '.'));
    problems.push(`${key} (in ${opts.file}): ${isSection ? 'must be a mapping of settings' : 'unknown setting'}`);
  }
  const config = out as unknown as Config;
  problems.push(...crossChecks(config));
  if (problems.length > 0) {
    throw new AppError('CONFIG_INVALID', `invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''})`, problems);
  }
  return config;
}

/** Rules that involve more than one setting. */
function crossChecks(c: Config): string[] {
  const p: string[] = [];
  if (c.smtp.tls.enabled && (c.smtp.tls.cert === '' || c.smtp.tls.key === '')) {
    p.push('smtp.tls: enabled needs both smtp.tls.cert and smtp.tls.key');
  }
  if (c.webhook.url !== '' && c.webhook.secrets.length === 0) {
    p.push('webhook.secrets: a webhook url needs at least one signing secret (whsec_...); bodies are always signed');
  }
  if (c.webhook.backoffMax < c.webhook.backoffBase) p.push('webhook.backoffMax: must not be shorter than webhook.backoffBase');
  try {
    if (!/\(/.test(c.stream.returnPathPattern)) p.push('stream.returnPathPattern: needs a capture group (the stream)');
    new RegExp(c.stream.returnPathPattern);
  } catch (err) {
    p.push(`stream.returnPathPattern: not a regular expression (${(err as Error).message})`);
  }
  if (c.http.apiTokens.length === 0 && !/^(127\.|::1$|localhost$)/.test(c.http.host)) {
    p.push(`http.apiTokens: the /v1 API listens on ${c.http.host}, beyond loopback: configure at least one bearer token`);
  }
  if (c.smtp.bounceDomains.length === 0 && c.smtp.bounceAddresses.length === 0) {
    p.push('smtp.bounceDomains: no bounce domain or address configured; every RCPT TO would be refused');
  }
  return p;
}

function take(spec: Spec, raw: unknown, fromEnv: boolean, label: string, problems: string[]): unknown {
  const r = checkValue(spec, raw, fromEnv);
  if (r.problem !== undefined) {
    problems.push(`${label}: ${r.problem}`);
    return undefined;
  }
  return r.value;
}

function defaultOf(spec: Spec): unknown {
  const r = checkValue(spec, spec.type === 'list' ? [...spec.default] : spec.default, false);
  return r.value;
}

function readYaml(file: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`--config ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    return {};
  }
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problems.push(`--config ${file}: YAML error: ${e.message.split('\n')[0]}`);
    return {};
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`--config ${file}: must be a mapping of settings`);
    return {};
  }
  return value as Record<string, unknown>;
}

function getPath(obj: Record<string, unknown>, path: string[]): { found: boolean; value?: unknown } {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !(p in cur)) return { found: false };
    cur = (cur as Record<string, unknown>)[p];
  }
  return { found: true, value: cur };
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const p of path.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
  cur[path[path.length - 1] as string] = value;
}

/** Dotted keys of every leaf of a plain YAML mapping (lists are leaves). */
function flattenKeys(obj: Record<string, unknown>, prefix = ''): string[] {
  const keys: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix + k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) keys.push(...flattenKeys(v as Record<string, unknown>, key + '.'));
    else keys.push(key);
  }
  return keys;
}

/** The config with secrets replaced, safe to print or log. */
export function redactConfig(c: Config): unknown {
  const copy = structuredClone(c) as unknown as Record<string, unknown>;
  for (const { path, spec } of leaves(schema)) {
    if (!spec.secret) continue;
    const v = getPath(copy, path).value;
    setPath(copy, path, Array.isArray(v) ? v.map(() => '[redacted]') : '[redacted]');
  }
  return copy;
}
