// Operator commands as users run them (the built CLI, a real SQLite file): replay files, read a
// state and its evidence pack, override it; a replay of the same files counts nothing twice.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeDsn } from '../helpers/dsn.js';

const ROOT = join(import.meta.dirname, '../..');
const MX = 'contoso-com.mail.protection.outlook.com';
const PERMISSION = '550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized; you do not have permissions to send to this address [AM6PR04MB1234.eurprd04.prod.outlook.com]';

function cli(args: string[], db: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/src/main.js'), ...args], { cwd: ROOT, env: { ...process.env, BOUNCE_TRIAGE_STORE_SQLITE_PATH: db } });
    let out = '';
    let err = '';
    child.stdout.on('data', d => { out += String(d); });
    child.stderr.on('data', d => { err += String(d); });
    child.on('close', code => resolve({ code, out, err }));
  });
}

t.test('replay, state, evidence, override', async t => {
  const dir = t.testdir({ bounces: {} });
  const db = join(dir, 'db.sqlite');
  for (const id of ['R1', 'R2']) {
    writeFileSync(join(dir, 'bounces', `${id}.eml`), makeDsn({ id, recipients: [{ recipient: 'alice@contoso.com', reply: PERMISSION, remoteMta: MX }] }));
  }
  writeFileSync(join(dir, 'bounces', 'junk.eml'), 'not a bounce at all\n');

  const replay = await cli(['replay', join(dir, 'bounces')], db);
  t.equal(replay.code, 0, replay.err);
  t.match(replay.out, /replayed 3 messages .*: 2 accepted, 0 duplicate \(already stored\), 1 quarantined/);
  const again = await cli(['replay', join(dir, 'bounces')], db);
  t.match(again.out, /0 accepted, 3 duplicate/, 'a second replay counts nothing twice');

  const state = await cli(['state', 'alice@CONTOSO.com'], db);
  t.equal(state.code, 0, state.err);
  t.match(state.out, /^alice@contoso\.com: pause until \d{4}-/);
  t.match(state.out, /keep_testing → pause +policy\/recipient-policy-repeat/);
  t.match((await cli(['state', 'nobody@contoso.com'], db)).out, /active \(never bounced\)/);

  const evidence = await cli(['evidence', 'alice@contoso.com'], db);
  t.match(evidence.out, /Remote host: +contoso-com\.mail\.protection\.outlook\.com/);
  t.match(evidence.out, /Trace tag: +AM6PR04MB1234\.eurprd04\.prod\.outlook\.com/);
  t.match(evidence.out, /Ask the Microsoft 365 administrator of contoso\.com/);
  const json = await cli(['evidence', '--json', 'alice@contoso.com'], db);
  t.match(JSON.parse(json.out), { recipient: 'alice@contoso.com', enhancedCode: '5.7.1', side: 'recipient_admin' });
  const missing = await cli(['evidence', 'nobody@contoso.com'], db);
  t.equal(missing.code, 1);
  t.match(missing.err, /no evidence stored for nobody@contoso\.com/);

  const override = await cli(['override', 'alice@contoso.com', '--state', 'active', '--actor', 'ops', '--why', 'group opened to external senders'], db);
  t.equal(override.code, 0, override.err);
  t.match(override.out, /pause → active \(operator:ops\)/);
  t.match((await cli(['state', 'alice@contoso.com'], db)).out, /^alice@contoso\.com: active/);
  const bad = await cli(['override', 'alice@contoso.com', '--state', 'pause', '--actor', 'ops', '--why', 'x'], db);
  t.equal(bad.code, 2);
  t.match(bad.err, /until: a pause needs a future ISO-8601 time/);
});
