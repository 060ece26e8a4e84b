// `bounce-triage rules check`: the shipped packs pass; an operator override is reported as such;
// a rule shadowed by an earlier one, or one that cannot fire on its own sample, fails.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { loadRuleSet, shippedRuleFiles } from '../../src/classify/index.js';
import { checkRules } from '../../src/cli/rules.js';

const ROOT = join(import.meta.dirname, '../..');

const OPERATOR = `
pack: local
version: 1
sample_defaults: { host: example-com.mail.protection.outlook.com }
rules:
  - id: forwarding-means-gone
    level: provider
    match: { provider: microsoft, status: ['5.7.520'] }
    reason: policyviolation
    side: recipient
    detail: local.forwarding_gone
    source: https://wiki.example.net/bounces/5.7.520
    samples: ['550 5.7.520 Access denied, Your organization does not allow external forwarding. AS(7555)']
  - id: broad
    level: text
    match: { text: 'mailbox' }
    reason: filtered
    side: recipient
    source: https://wiki.example.net/bounces/broad
    samples: ['550 mailbox unavailable']
  - id: narrow-but-later
    level: text
    match: { text: 'mailbox is disabled' }
    reason: suspend
    side: recipient
    source: https://wiki.example.net/bounces/narrow
    samples: ['550 the mailbox is disabled']
  - id: cannot-fire
    level: text
    match: { text: 'quota', stage: [mail] }
    reason: mailboxfull
    side: recipient
    source: https://wiki.example.net/bounces/never
    samples: [{ text: '552 quota exceeded', stage: rcpt }]
`;

t.test('the shipped packs pass: every rule fires on its samples', async t => {
  const shipped = shippedRuleFiles();
  const r = checkRules(loadRuleSet(shipped), new Set(shipped));
  t.same(r.failures, []);
  t.same(r.overrides, []);
  t.ok(r.samples >= loadRuleSet(shipped).rules.length, 'at least one sample per rule');
});

t.test('shadowed and unfireable operator rules fail; taking over a shipped rule is an override', async t => {
  const dir = t.testdir({ 'local.yaml': OPERATOR });
  const shipped = shippedRuleFiles();
  const r = checkRules(loadRuleSet([join(dir, 'local.yaml'), ...shipped]), new Set(shipped));
  t.match(r.failures.join('\n'), /local\/narrow-but-later: sample "550 the mailbox is disabled" classifies to local\/broad/);
  t.match(r.failures.join('\n'), /local\/cannot-fire: sample "552 quota exceeded" does not match its rule/);
  t.equal(r.failures.length, 2);
  t.match(r.overrides.join('\n'), /microsoft\/forwarding-blocked: .*classifies to local\/forwarding-means-gone \(operator file .*local\.yaml\)/);
});

t.test('the command exits 1 on problems and 0 on the shipped packs', async t => {
  const dir = t.testdir({ 'local.yaml': OPERATOR });
  const run = (args: string[]) => new Promise<{ code: number | null; out: string }>(resolve => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/src/main.js'), 'rules', 'check', ...args], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', d => { out += String(d); });
    child.on('close', code => resolve({ code, out }));
  });
  const ok = await run([]);
  t.equal(ok.code, 0);
  t.match(ok.out, /^ok: every rule/m);
  const bad = await run([join(dir, 'local.yaml')]);
  t.equal(bad.code, 1);
  t.match(bad.out, /^FAIL local\/narrow-but-later/m);
  t.match(bad.out, /^override microsoft\/forwarding-blocked/m);
});
