// deploy/systemd/bounce-triage.service: `systemd-analyze verify` accepts it (and is shown to
// reject a broken copy, so a silent tool cannot pass the test), `systemd-analyze security`
// rates it, and the unit, parsed, has the hardening and restart behaviour README promises.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadConfig } from '../../src/config/load.js';

const ROOT = join(import.meta.dirname, '../..');
const UNIT = join(ROOT, 'deploy/systemd/bounce-triage.service');
const text = readFileSync(UNIT, 'utf8');

/**
 * systemd's unit syntax: [Section] headers, Key=Value lines, `#`/`;` comments, a trailing `\`
 * joining lines, repeated keys accumulating and an empty assignment resetting the list.
 */
function parseUnit(source: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let section: Record<string, string[]> | undefined;
  const lines = source.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      section = sections[header[1] as string] ??= {};
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*)$/.exec(line);
    if (!kv || !section) throw new Error(`line ${i + 1}: not a Key=Value inside a section: ${line}`);
    const [, key, value] = kv as unknown as [string, string, string];
    section[key] = value === '' ? [''] : [...(section[key] ?? []).filter(v => v !== ''), value];
  }
  return sections;
}

/** systemd time spans: `45s`, `1min 30s`, `2m`, `500ms`, a bare number of seconds. */
function timespanMs(value: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000 };
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  let total = 0;
  for (const m of value.matchAll(/(\d+)\s*([a-z]+)/g)) {
    const unit = units[m[2] as string];
    if (unit === undefined) throw new Error(`unknown time unit in ${value}`);
    total += Number(m[1]) * unit;
  }
  return total;
}

const unit = parseUnit(text);
const service = unit.Service ?? {};
const last = (key: string) => service[key]?.at(-1);

function analyze(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('systemd-analyze', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`systemd-analyze is needed (Debian package systemd): ${r.error.message}`);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A copy of the unit under its own name, with node wherever this machine has it. */
function copyUnit(t: Test, transform: (s: string) => string = s => s): string {
  const dir = t.testdir({});
  const path = join(dir, 'bounce-triage.service');
  writeFileSync(path, transform(text.replaceAll('/usr/bin/node', process.execPath)));
  return path;
}

t.test('systemd-analyze verify accepts the unit, and rejects a broken copy', async t => {
  const ok = analyze(['verify', copyUnit(t)]);
  t.equal(ok.status, 0, ok.out);
  t.equal(ok.out.trim(), '', 'no warnings either');
  const broken = analyze(['verify', copyUnit(t, s => s.replace('ProtectHome=yes', 'ProtectHome=maybe\nNoSuchSetting=1'))]);
  t.match(broken.out, /NoSuchSetting/, 'an unknown key is reported, so the tool really checks');
  t.match(broken.out, /protect ?home/i, 'and a bad value too');
});

t.test('systemd-analyze security rates the sandbox as well-confined', async t => {
  const r = analyze(['security', '--offline=yes', copyUnit(t)]);
  const level = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(r.out)?.[1]);
  t.ok(level < 3, `exposure level ${level} (0 = fully confined, 10 = unconfined)`);
});

t.test('the parser reads sections, repeated keys, resets and continuations', async t => {
  const u = parseUnit('[Service]\n# c\nA=1\nA=2\nB=x\nB=\nC=one \\\n  two\n[Install]\nWantedBy=x\n');
  t.same(u, { Service: { A: ['1', '2'], B: [''], C: ['one    two'] }, Install: { WantedBy: ['x'] } });
  t.throws(() => parseUnit('A=1\n'), /not a Key=Value inside a section/);
  t.same(['45s', '1min 30s', '90', '500ms'].map(timespanMs), [45_000, 90_000, 90_000, 500]);
});

t.test('runs the daemon as an unprivileged user with its database in the state directory', async t => {
  t.match(last('ExecStart') ?? '', /^\S*node \S*\/dist\/src\/main\.js serve\b/, 'ExecStart runs `main.js serve`');
  t.ok(last('DynamicUser') === 'yes' || (last('User') && last('User') !== 'root'), 'DynamicUser=yes or a dedicated user');
  t.equal(last('StateDirectory'), 'bounce-triage');
  const env = Object.fromEntries((service.Environment ?? []).flatMap(e => e.split(/\s+/)).map(kv => kv.split('=', 2) as [string, string]));
  const dbPath = env.BOUNCE_TRIAGE_STORE_SQLITE_PATH?.replace('%S', '/var/lib') ?? '';
  t.match(dbPath, /^\/var\/lib\/bounce-triage\/[^/]+\.sqlite$/, 'BOUNCE_TRIAGE_STORE_SQLITE_PATH is inside StateDirectory');
  t.ok(service.EnvironmentFile?.length, 'secrets come from an EnvironmentFile');
  t.notOk(/WEBHOOK_SECRETS|API_TOKENS/.test((service.Environment ?? []).join(' ')), 'and never from Environment= in the unit');
  t.notOk(service.ReadWritePaths, 'nothing writable beyond the state directory');
});

t.test('hardening', async t => {
  t.equal(last('ProtectSystem'), 'strict');
  t.ok(['yes', 'read-only', 'tmpfs'].includes(last('ProtectHome') ?? ''), 'ProtectHome');
  t.equal(last('PrivateTmp'), 'yes');
  t.equal(last('NoNewPrivileges'), 'yes');
  t.same(service.CapabilityBoundingSet, [''], 'CapabilityBoundingSet= (empty: no capability at all)');
  t.ok(!service.AmbientCapabilities || last('AmbientCapabilities') === '', 'no ambient capability');
  t.same(last('RestrictAddressFamilies')?.split(/\s+/).sort(), ['AF_INET', 'AF_INET6', 'AF_UNIX']);
  t.ok(service.SystemCallFilter?.includes('@system-service'), 'SystemCallFilter=@system-service');
  t.ok(!service.MemoryDenyWriteExecute || last('MemoryDenyWriteExecute') === 'no', 'MemoryDenyWriteExecute is not set: V8 JIT needs W+X pages');
});

t.test('restart policy and stop timeout', async t => {
  t.equal(last('Restart'), 'on-failure');
  t.ok(last('RestartPreventExitStatus')?.split(/\s+/).includes('78'), 'exit 78 (invalid configuration) is not restarted');
  const config = loadConfig();
  const stop = timespanMs(last('TimeoutStopSec') ?? '90s');
  t.ok(stop > config.smtp.shutdownGrace + config.webhook.timeout,
    `TimeoutStopSec (${stop} ms) > smtp.shutdownGrace (${config.smtp.shutdownGrace}) + webhook.timeout (${config.webhook.timeout})`);
  t.ok(!service.KillSignal || last('KillSignal') === 'SIGTERM', 'stopped with SIGTERM');
  t.ok(unit.Install?.WantedBy?.includes('multi-user.target'), 'enabled into multi-user.target');
});
