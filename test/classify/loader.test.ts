// The loader is the only gate between a hand-written YAML file and a verdict that can suppress
// a recipient: a bad pack must be refused with every problem listed (file, rule id, field), and
// an operator's file loaded first must be able to override a shipped rule.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { AppError } from '../../src/errors.js';
import { checkRule, classify, loadRuleSet, recordFromSample, shippedRuleFiles } from '../../src/classify/index.js';

function problemsOf(files: string[]): string[] {
  try {
    loadRuleSet(files);
  } catch (err) {
    if (err instanceof AppError && err.code === 'RULES_INVALID') return err.details;
    throw err;
  }
  throw new Error('expected RULES_INVALID');
}

const BAD = `
pack: local
version: 1
sample_default: { host: mx.example.net }
providers:
  - { id: corp, family: corp, hosts: ['(unclosed'], host: 'typo' }
rules:
  - id: first
    level: text
    mtach: { text: 'user unknown' }
    reason: userunkown
    side: recipent
  - id: first
    level: provder
    match: { text: '(?i)no such user' }
    reason: userunknown
    side: recipient
    source: https://example.net/doc
    samples: ['550 no such user']
  - id: codes
    level: status
    match: { status: ['5.7.x'], code: ['5500'], stage: [rctp] }
    reason: blocked
    side: sender_ip
    detail: Bad Detail
    source: https://example.net/doc
    samples: [{ txt: '550 5.7.1' }]
  - id: provider-typo
    level: provider
    match: { provider: microsfot, text: 'blocked' }
    reason: blocked
    side: sender_ip
    source: https://example.net/doc
    samples: ['550 blocked']
  - id: provider-at-text-level
    level: text
    match: { provider: microsoft, text: 'blocked' }
    reason: blocked
    side: sender_ip
    source: ''
    samples: []
`;

t.test('a bad pack is refused with every problem, each naming file, rule and field', async t => {
  const dir = t.testdir({ 'bad.yaml': BAD, 'broken.yaml': 'pack: [unclosed\n', 'empty.yaml': '' });
  const bad = join(dir, 'bad.yaml');
  const problems = problemsOf([bad, join(dir, 'broken.yaml'), join(dir, 'empty.yaml'), ...shippedRuleFiles()]);
  const expect: Array<[string, RegExp]> = [
    ['unknown top-level key', /bad\.yaml: unknown key "sample_default"/],
    ['bad provider regex', /bad\.yaml: provider "corp": hosts: bad regex \/\(unclosed\//],
    ['unknown provider key', /bad\.yaml: provider "corp": unknown key "host"/],
    ['typo in a rule key', /rule "local\/first": unknown key "mtach"/],
    ['missing match', /rule "local\/first": match: required/],
    ['unknown reason', /rule "local\/first": reason: unknown reason "userunkown"/],
    ['unknown side', /rule "local\/first": side: unknown side "recipent"/],
    ['missing source', /rule "local\/first": source: required/],
    ['missing samples', /rule "local\/first": samples: at least one/],
    ['unknown level', /rule "local\/first": level: unknown level "provder"/],
    ['PCRE inline flag', /rule "local\/first": match\.text: bad regex \/\(\?i\)no such user\//],
    ['bad status pattern', /rule "local\/codes": match\.status: "5\.7\.x"/],
    ['bad reply code', /rule "local\/codes": match\.code: "5500"/],
    ['unknown stage', /rule "local\/codes": match\.stage: unknown stage "rctp"/],
    ['bad detail', /rule "local\/codes": detail: expected/],
    ['typo in a sample', /rule "local\/codes": samples\[0\]: unknown key "txt"/],
    ['provider condition below provider level', /rule "local\/provider-at-text-level": match\.provider: only allowed at level "provider"/],
    ['empty source', /rule "local\/provider-at-text-level": source: required/],
    ['empty samples', /rule "local\/provider-at-text-level": samples: at least one/],
    ['YAML syntax error in another file', /broken\.yaml: YAML: /],
    ['empty file', /empty\.yaml: /],
  ];
  for (const [what, re] of expect) t.ok(problems.some(p => re.test(p)), what);
  t.ok(problems.filter(p => p.includes('bad.yaml')).every(p => p.startsWith(bad)), 'every problem starts with its file');
});

const BAD_FACTS = `
pack: local
version: 1
rules:
  - id: facts
    level: provider
    match: { kind: [arff], action: [bounced], domain: ['Example.COM', 'x'], diagnostic_type: ['X Unix'] }
    reason: feedback
    side: recipient
    source: https://example.net/doc
    samples: [{ text: '', kind: complaint, action: gone }, { text: '' }, '']
  - id: status-needs-status
    level: status
    match: { kind: [arf] }
    reason: feedback
    side: recipient
    source: https://example.net/doc
    samples: [{ text: 'x', kind: arf }]
`;

t.test('report-level conditions (kind, action, domain, diagnostic_type) and their samples are validated too', async t => {
  const dir = t.testdir({ 'facts.yaml': BAD_FACTS });
  const problems = problemsOf([join(dir, 'facts.yaml')]);
  const expect: Array<[string, RegExp]> = [
    ['unknown report kind', /rule "local\/facts": match\.kind: unknown report kind "arff"/],
    ['unknown action', /rule "local\/facts": match\.action: unknown action "bounced"/],
    ['domain not lower case', /rule "local\/facts": match\.domain: "Example\.COM" is not a lower-case domain name/],
    ['domain without a dot', /rule "local\/facts": match\.domain: "x" is not/],
    ['bad diagnostic type', /rule "local\/facts": match\.diagnostic_type: "X Unix"/],
    ['sample kind', /rule "local\/facts": samples\[0\]\.kind: unknown report kind "complaint"/],
    ['sample action', /rule "local\/facts": samples\[0\]\.action: unknown action "gone"/],
    ['empty text needs a status', /rule "local\/facts": samples\[1\]\.text: required/],
    ['empty bare sample', /rule "local\/facts": samples\[2\]: empty sample/],
    ['kind does not define the status level', /rule "local\/status-needs-status": match: a status-level rule needs match\.status/],
  ];
  for (const [what, re] of expect) t.ok(problems.some(p => re.test(p)), what);
});

t.test('cross-file problems: duplicate ids, unknown provider references, family clashes', async t => {
  const dir = t.testdir({
    'dup.yaml': `pack: microsoft\nversion: 1\nrules:\n  - { id: forwarding-blocked, level: text, match: { text: 'x' }, reason: blocked, side: sender_ip, source: 'https://example.net', samples: ['550 x'] }\n`,
    'ref.yaml': `pack: local\nversion: 1\nrules:\n  - { id: typo, level: provider, match: { provider: microsfot, text: 'x' }, reason: blocked, side: sender_ip, source: 'https://example.net', samples: ['550 x'] }\n`,
    'family.yaml': `pack: fam\nversion: 1\nproviders:\n  - { id: microsoft_m365, family: contoso, hosts: ['\\.contoso\\.example$'] }\n`,
  });
  const problems = problemsOf([join(dir, 'dup.yaml'), join(dir, 'ref.yaml'), join(dir, 'family.yaml'), ...shippedRuleFiles()]);
  t.ok(problems.some(p => /rule "microsoft\/forwarding-blocked": id: duplicate rule id \(first defined in .*dup\.yaml\)/.test(p)), 'duplicate id');
  t.ok(problems.some(p => /rule "local\/typo": match\.provider: unknown provider or family "microsfot"/.test(p)), 'unknown provider');
  t.ok(problems.some(p => /provider "microsoft_m365": family "microsoft" differs from "contoso"/.test(p)), 'family clash');
});

const OVERRIDE = `
pack: local
version: 1
sample_defaults: { host: example-com.mail.protection.outlook.com }
rules:
  # This tenant's forwarding NDRs always come from a mailbox we were asked to drop.
  - id: forwarding-means-gone
    level: provider
    match: { provider: microsoft, status: ['5.7.520'] }
    reason: policyviolation
    side: recipient
    detail: local.forwarding_gone
    source: https://wiki.example.net/bounces/5.7.520
    samples: ['550 5.7.520 Access denied, Your organization does not allow external forwarding.']
`;

t.test('an operator file loaded first overrides a shipped rule with the same match', async t => {
  const dir = t.testdir({ 'local.yaml': OVERRIDE });
  const local = join(dir, 'local.yaml');
  const reply = { text: '550 5.7.520 Access denied, Your organization does not allow external forwarding. AS(7555)', host: 'example-com.mail.protection.outlook.com' };
  const report = { kind: 'dsn' as const };

  const first = loadRuleSet([local, ...shippedRuleFiles()]);
  const v = classify(recordFromSample(reply), report, first);
  t.same([v.rule, v.side, v.detail], ['local/forwarding-means-gone', 'recipient', 'local.forwarding_gone']);
  t.same(checkRule(first.rules.find(r => r.id === 'local/forwarding-means-gone')!, first), [], 'the override passes its own sample check');
  const shadowed = checkRule(first.rules.find(r => r.id === 'microsoft/forwarding-blocked')!, first);
  t.ok(shadowed.length > 0 && shadowed.every(f => f.problem === 'shadowed' && f.got === 'local/forwarding-means-gone'), 'the sample check shows what the override shadows');

  const last = loadRuleSet([...shippedRuleFiles(), local]);
  t.equal(classify(recordFromSample(reply), report, last).rule, 'microsoft/forwarding-blocked', 'loaded last, the shipped rule still wins');
});

t.test('shipped rule files are found from the package root, in name order', async t => {
  const files = shippedRuleFiles();
  t.ok(files.every(f => isAbsolute(f) && f.endsWith('.yaml')));
  t.same(files, [...files].sort());
  for (const name of ['00-reports.yaml', 'generic.yaml', 'generic-sender.yaml', 'generic-codes.yaml', 'microsoft.yaml', 'google.yaml', 'yahoo.yaml', 'apple.yaml', 'gmx.yaml', 'comcast.yaml']) {
    t.ok(files.some(f => f.endsWith(`/config/rules/${name}`)), name);
  }
  // complaints, auto-replies and positive DSNs are decided before any provider pack can look
  t.match(files[0], /\/00-reports\.yaml$/);
  const rs = loadRuleSet(files);
  t.same(rs.levels.map(l => l.level), ['provider', 'text', 'status', 'reply']);
  t.ok(rs.rules.every((r, i, a) => i === 0 || ['provider', 'text', 'status', 'reply'].indexOf(a[i - 1]!.level) <= ['provider', 'text', 'status', 'reply'].indexOf(r.level)), 'rules are in evaluation order');
});

t.test('no files at all is an error, not an empty rule set', async t => {
  t.same(problemsOf([]), ['no rule files given']);
  const dir = t.testdir({});
  t.match(problemsOf([join(dir, 'missing.yaml')])[0], /missing\.yaml: cannot read/);
  writeFileSync(join(dir, 'two.yaml'), 'pack: a\nversion: 1\n---\npack: b\nversion: 1\n');
  t.ok(problemsOf([join(dir, 'two.yaml')]).some(p => /expected exactly one YAML document/.test(p)));
});
