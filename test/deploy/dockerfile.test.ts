// The Dockerfile's invariants, checked statically (no Docker engine runs in CI): pinned base
// images, a build stage doing CI's steps and a runtime stage with production dependencies only,
// a numeric non-root USER, the /data volume, both ports, a node-based HEALTHCHECK on /healthz,
// exec-form ENTRYPOINT/CMD so SIGTERM reaches node, and a .dockerignore that sends what the build
// copies and nothing else. The parser below follows the Dockerfile reference: parser directives,
// comments, `\` continuations (comment and blank lines inside them are dropped), ARG before FROM
// for FROM lines, instruction flags, exec form (a JSON array) versus shell form.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { schema } from '../../src/config/schema.js';
import { envName, leaves } from '../../src/config/spec.js';

const ROOT = join(import.meta.dirname, '../..');

interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY... */
  keyword: string;
  /** Leading `--name=value` flags (`--from=build`, `--mount=...`, `--interval=30s`). */
  flags: Record<string, string>;
  /** The rest, continuation lines joined with a space. */
  args: string;
  /** The JSON array when the rest is in exec form. */
  exec?: string[];
  line: number;
}
interface Stage { image: string; name?: string; instructions: Instruction[] }
interface Dockerfile { directives: Record<string, string>; globalArgs: Record<string, string>; stages: Stage[] }

function parseDockerfile(text: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  const directives: Record<string, string> = {};
  let i = 0;
  // Parser directives: `# key=value` lines at the very top, before any comment or instruction.
  for (; i < lines.length; i++) {
    const m = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(lines[i] ?? '');
    if (!m) break;
    directives[(m[1] as string).toLowerCase()] = m[2] as string;
  }
  const escape = directives.escape ?? '\\';
  const logical: Array<{ text: string; line: number }> = [];
  let current: { text: string; line: number } | undefined;
  for (; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (/^\s*#/.test(raw)) continue; // comments, also inside a continuation
    if (current && raw.trim() === '') continue; // blank lines inside a continuation
    const trimmed = raw.replace(/\s+$/, '');
    const continued = trimmed.endsWith(escape);
    const part = continued ? trimmed.slice(0, -escape.length) : trimmed;
    if (current) current.text += ' ' + part.trim();
    else if (part.trim() !== '') current = { text: part.trim(), line: i + 1 };
    if (!continued && current) {
      logical.push(current);
      current = undefined;
    }
  }
  if (current) logical.push(current);

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const { text: l, line } of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(l) as RegExpExecArray;
    const keyword = (m[1] as string).toUpperCase();
    let rest = m[2] as string;
    const flags: Record<string, string> = {};
    for (let f = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest); f; f = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest)) {
      flags[f[1] as string] = f[2] ?? 'true';
      rest = rest.slice(f[0].length);
    }
    const inst: Instruction = { keyword, flags, args: rest, line };
    if (rest.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(rest);
        if (Array.isArray(parsed) && parsed.every(x => typeof x === 'string')) inst.exec = parsed;
      } catch { /* not JSON: shell form that happens to start with [ */ }
    }
    if (keyword === 'FROM') {
      const [ref, as, name] = rest.split(/\s+/);
      const image = (ref ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => globalArgs[(a ?? b) as string] ?? '');
      stages.push({ image, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [inst] });
    } else if (stages.length === 0) {
      if (keyword !== 'ARG') throw new Error(`line ${line}: ${keyword} before the first FROM`);
      const [k, v] = rest.split('=', 2);
      globalArgs[(k as string).trim()] = (v ?? '').replace(/^"(.*)"$/, '$1');
    } else {
      (stages.at(-1) as Stage).instructions.push(inst);
    }
  }
  return { directives, globalArgs, stages };
}

/** ENV of a stage as key → value (both `ENV K=V K2=V2` and the legacy `ENV K V`). */
function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const inst of stage.instructions.filter(x => x.keyword === 'ENV')) {
    if (!inst.args.includes('=')) {
      const [k, ...v] = inst.args.split(/\s+/);
      env[k as string] = v.join(' ');
      continue;
    }
    for (const m of inst.args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) env[m[1] as string] = (m[2] as string).replace(/^"(.*)"$/, '$1');
  }
  return env;
}

/** A Docker image reference pinned to an exact version (x.y.z) or a digest; never `latest`. */
function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = /:([^/:@]+)$/.exec(image)?.[1];
  return tag !== undefined && tag !== 'latest' && /(^|[^0-9.])v?\d+\.\d+\.\d+([^0-9.]|$)/.test(tag);
}

/** .dockerignore semantics: last matching pattern wins; a path is excluded when it or a parent is. */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text.split(/\r?\n/).map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#')).map(l => {
    const negate = l.startsWith('!');
    const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
    const re = new RegExp('^' + pattern.split('/').map(seg => seg === '**' ? '\x00' : seg
      .replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('/')
      .replace(/\x00\//g, '(?:.*/)?').replace(/\/\x00/g, '(?:/.*)?').replace(/\x00/g, '.*') + '$');
    return { negate, re };
  });
  const matches = (p: string): boolean | undefined => {
    let result: boolean | undefined;
    for (const r of rules) if (r.re.test(p)) result = !r.negate;
    return result;
  };
  return (path: string) => {
    const parts = path.split('/');
    let excluded = false;
    for (let n = 1; n <= parts.length; n++) {
      const verdict = matches(parts.slice(0, n).join('/'));
      if (verdict !== undefined) excluded = verdict;
    }
    return !excluded;
  };
}

const dockerfileText = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const df = parseDockerfile(dockerfileText);
const final = df.stages.at(-1) as Stage;
const build = df.stages.find(s => s.name === 'build') as Stage;
const all = (stage: Stage, keyword: string) => stage.instructions.filter(i => i.keyword === keyword);
const runs = (stage: Stage) => all(stage, 'RUN').map(r => r.args);

t.test('the parser follows continuations, comments, stages, flags and both forms', async t => {
  const p = parseDockerfile([
    '# syntax=docker/dockerfile:1', 'ARG BASE=node:1.2.3-slim', '# a comment', '',
    'FROM ${BASE} AS one', 'RUN a \\', '  # dropped comment', '', '  && b  \\  ', '  && c',
    'COPY --from=one --chown=1:1 x /y', 'from $BASE', 'CMD ["node", "x.js"]', 'ENTRYPOINT node x.js',
    'ENV A=1 B="two words"', 'ENV C 3 4', 'HEALTHCHECK --interval=5s \\', '  CMD ["true"]',
  ].join('\n'));
  t.same(p.directives, { syntax: 'docker/dockerfile:1' });
  t.same(p.globalArgs, { BASE: 'node:1.2.3-slim' });
  t.equal(p.stages.length, 2);
  t.same([p.stages[0]?.image, p.stages[0]?.name, p.stages[1]?.image, p.stages[1]?.name], ['node:1.2.3-slim', 'one', 'node:1.2.3-slim', undefined]);
  const [, run, copy] = p.stages[0]?.instructions ?? [];
  t.same([run?.args, run?.line], ['a && b && c', 6]);
  t.same([copy?.keyword, copy?.flags, copy?.args], ['COPY', { from: 'one', chown: '1:1' }, 'x /y']);
  const second = p.stages[1] as Stage;
  t.same(all(second, 'CMD')[0]?.exec, ['node', 'x.js']);
  t.equal(all(second, 'ENTRYPOINT')[0]?.exec, undefined, 'shell form');
  t.same(envOf(second), { A: '1', B: 'two words', C: '3 4' });
  t.same([all(second, 'HEALTHCHECK')[0]?.flags, all(second, 'HEALTHCHECK')[0]?.args], [{ interval: '5s' }, 'CMD ["true"]']);
  t.throws(() => parseDockerfile('RUN x\nFROM y'), /RUN before the first FROM/);
});

t.test('pinning and .dockerignore helpers', async t => {
  for (const ok of ['node:20.20.2-bookworm-slim', 'prom/prometheus:v2.53.0', 'node@sha256:' + 'a'.repeat(64), 'grafana/grafana:11.1.0']) t.ok(isPinned(ok), ok);
  for (const bad of ['node', 'node:latest', 'node:20', 'node:20-bookworm-slim', 'node:lts', 'registry:5000/node']) t.notOk(isPinned(bad), bad);
  const sends = dockerignore('*\n!src/\n!docs/openapi.json\n**/*.log\n');
  t.ok(sends('src/main.ts'));
  t.ok(sends('docs/openapi.json'));
  t.notOk(sends('docs/rules.md'));
  t.notOk(sends('src/debug.log'));
  t.notOk(sends('node_modules/x/index.js'));
});

t.test('multi-stage on one pinned Node 20 image', async t => {
  t.ok(df.stages.length >= 2, 'at least a build and a runtime stage');
  t.ok(build, 'a stage named build');
  t.not(final, build, 'the final stage is not the build stage');
  for (const s of df.stages) {
    t.ok(isPinned(s.image), `${s.name ?? 'stage'}: ${s.image} is pinned to an exact version or digest`);
    t.match(s.image, /^node:20\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/, 'the Node 20 slim image (the project targets Node 20)');
  }
  t.equal(new Set(df.stages.map(s => s.image)).size, 1, 'every stage on the same image: the better-sqlite3 addon built in one runs in the other (same Node ABI, same glibc)');
});

t.test("the build stage runs CI's steps, then drops dev dependencies", async t => {
  const steps = runs(build).join(' && ');
  t.match(steps, /apt-get install[^&]*\bpython3\b[^&]*\bmake\b[^&]*\bg\+\+/, 'python3, make and g++ for node-gyp');
  const order = ['npm ci', 'npm run build', 'npm prune --omit=dev'].map(step => steps.indexOf(step));
  t.ok(order.every(n => n >= 0), 'npm ci, npm run build and npm prune --omit=dev all run');
  t.same([...order].sort((a, b) => a - b), order, 'in that order');
  t.notMatch(steps, /npm ci[^&]*--ignore-scripts/, 'npm ci runs install scripts (better-sqlite3 compiles there)');
  t.match(steps, /require\('better-sqlite3'\)/, 'the pruned addon is loaded once as a smoke test');
  const copied = all(build, 'COPY').map(c => c.args.split(/\s+/).slice(0, -1)).flat();
  for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'config']) {
    t.ok(copied.includes(needed), `the build copies ${needed}`);
  }
});

t.test('the runtime stage holds production dependencies and what the daemon reads, nothing else', async t => {
  t.equal(runs(final).filter(r => /\bnpm\b|\byarn\b|\bpnpm\b/.test(r)).length, 0, 'no npm ci/install in the runtime stage (dev dependencies, compilers)');
  const copies = all(final, 'COPY').concat(all(final, 'ADD'));
  t.ok(copies.every(c => c.flags.from === 'build'), 'everything comes from the build stage, nothing from the context');
  const sources = copies.map(c => c.args.split(/\s+/)[0]);
  t.same(sources.sort(), [
    '/src/config', '/src/dist/src', '/src/docs/openapi.json', '/src/node_modules', '/src/package.json',
  ], 'package.json (type: module, version), node_modules (pruned), dist/src, config/ (rule packs) and docs/openapi.json (GET /v1/openapi.json)');
  t.ok(all(final, 'WORKDIR').length > 0 && all(final, 'COPY').every(c => !c.flags.chown), 'code stays owned by root, not writable by the process');
});

t.test('non-root, /data volume, listeners and store path', async t => {
  const users = all(final, 'USER');
  t.ok(users.length > 0, 'a USER in the final stage');
  const user = users.at(-1)?.args ?? '';
  t.match(user, /^\d+(:\d+)?$/, 'numeric uid[:gid], so Kubernetes runAsNonRoot can check it');
  t.not(user.split(':')[0], '0', 'not root');
  const volumes = all(final, 'VOLUME').flatMap(v => v.exec ?? v.args.split(/\s+/));
  t.ok(volumes.includes('/data'), 'VOLUME /data');
  t.ok(runs(final).some(r => r.includes('chown') && r.includes(user.split(':')[0] as string) && r.includes('/data')), '/data is owned by that user before VOLUME');
  const env = envOf(final);
  t.equal(env.BOUNCE_TRIAGE_STORE_SQLITE_PATH, '/data/bounce-triage.sqlite');
  t.equal(env.BOUNCE_TRIAGE_SMTP_HOST, '0.0.0.0');
  t.equal(env.BOUNCE_TRIAGE_HTTP_HOST, '0.0.0.0');
  const known = new Set(leaves(schema).map(l => envName(l.path)));
  for (const name of Object.keys(env).filter(k => k.startsWith('BOUNCE_TRIAGE_'))) t.ok(known.has(name), `${name} is a real setting`);
  t.notOk(Object.keys(env).some(k => /TOKEN|SECRET/.test(k)), 'no token or secret baked into the image');
});

t.test('ports, healthcheck, signals and entrypoint', async t => {
  const exposed = all(final, 'EXPOSE').flatMap(e => e.args.split(/\s+/)).map(p => Number(p.split('/')[0]));
  t.ok(exposed.includes(schema.smtp.port.default), `EXPOSE ${schema.smtp.port.default} (smtp.port)`);
  t.ok(exposed.includes(schema.http.port.default), `EXPOSE ${schema.http.port.default} (http.port)`);

  const health = all(final, 'HEALTHCHECK');
  t.equal(health.length, 1, 'one HEALTHCHECK');
  const cmd = /^CMD\s+(.*)$/.exec(health[0]?.args ?? '')?.[1] ?? '';
  const argv = JSON.parse(cmd) as string[];
  t.equal(argv[0], 'node', 'run with node itself (the slim image has no curl or wget)');
  t.match(argv.join(' '), /\/healthz/, 'asks /healthz');
  t.match(argv.join(' '), new RegExp(`\\b${schema.http.port.default}\\b`), 'on the default HTTP port');
  t.ok(health[0]?.flags.interval && health[0]?.flags.timeout, 'interval and timeout set');

  t.equal(all(final, 'STOPSIGNAL').at(-1)?.args, 'SIGTERM');
  const entrypoint = all(final, 'ENTRYPOINT').at(-1);
  const command = all(final, 'CMD').at(-1);
  t.ok(entrypoint?.exec, 'exec-form ENTRYPOINT: node is PID 1 and gets SIGTERM');
  t.ok(command?.exec, 'exec-form CMD');
  t.same([...(entrypoint?.exec ?? []), ...(command?.exec ?? [])], ['node', 'dist/src/main.js', 'serve']);
});

t.test('the healthcheck script exits 0 when /healthz answers 200 and 1 when nothing answers', async t => {
  const cmd = JSON.parse(/^CMD\s+(.*)$/.exec(all(final, 'HEALTHCHECK')[0]?.args ?? '')?.[1] ?? '[]') as string[];
  const script = cmd[cmd.indexOf('-e') + 1] as string;
  const server = createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end());
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = String((server.address() as AddressInfo).port);
  const check = () => new Promise<number | null>(resolve => {
    spawn(process.execPath, ['-e', script], { env: { ...process.env, BOUNCE_TRIAGE_HTTP_PORT: port }, stdio: 'ignore' }).on('close', resolve);
  });
  t.equal(await check(), 0, 'healthy');
  await new Promise<void>(r => server.close(() => r()));
  t.equal(await check(), 1, 'nothing listening');
});

t.test('.dockerignore sends what the build copies and keeps the rest out', async t => {
  const sends = dockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
  const walk = (rel: string): string[] => statSync(join(ROOT, rel)).isDirectory()
    ? readdirSync(join(ROOT, rel)).flatMap(n => walk(`${rel}/${n}`))
    : [rel];
  for (const copy of all(build, 'COPY').filter(c => !c.flags.from)) {
    for (const source of copy.args.split(/\s+/).slice(0, -1)) {
      t.ok(existsSync(join(ROOT, source)), `${source} exists`);
      const files = walk(source);
      t.ok(files.every(sends), `${source}: all ${files.length} file(s) reach the build context`);
    }
  }
  for (const kept of ['node_modules/yaml/package.json', 'dist/src/main.js', 'data/bounce-triage.sqlite', '.git/HEAD', '.tap/x',
    'test/e2e/daemon.test.ts', 'deploy/compose.yaml', '.env', 'Dockerfile.local', 'src/x.log']) {
    t.notOk(sends(kept), `${kept} stays out of the build context`);
  }
});
