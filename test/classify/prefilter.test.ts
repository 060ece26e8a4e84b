// The literal prefilter may only ever say "cannot match" when the regex really cannot match:
// a wrong "no" would silently skip a rule. Checked on hand-picked regex shapes and, for every
// shipped regex, against every sample text in several spellings.
import t from 'tap';
import { LiteralIndex, requiredLiterals } from '../../src/classify/prefilter.js';
import { shipped } from './fixtures/rules.js';

t.test('required literals of typical shapes', async t => {
  const cases: Array<[string, string[] | null]> = [
    ['user unknown', ['user unknown']],
    ['mailbox (is )?full|over ?quota', ['mailbox ', 'quota']],
    ['\\b(SPF|DKIM)\\b|Sender Policy Framework', ['spf', 'dkim', 'sender policy framework']],
    ['Server busy\\. Please', ['server busy. please']],
    ['gr[ae]y-?list', ['list']],
    ['ab+cde', ['cde']],
    ['abc{0,2}defg', ['defg']],
    ['(?:abc|de)fgh', ['fgh']],
    ['(?=abc)xyz1', ['xyz1']],
    ['(?<name>abcd)', ['abcd']],
    ['abc|', null],              // the empty branch matches anything
    ['(abc)\\1', null],          // back-references: not worth understanding
    ['\\x41BCD', null],
    ['caf\u00e9 crème', null],   // beyond ASCII: case folding is not ours to guess
    ['[]abc', null],
    ['a{x}bcd', null],
    ['ab', null],                // too short to be worth a slot
  ];
  for (const [src, want] of cases) {
    const got = requiredLiterals(src);
    t.same(got === null ? null : [...got].sort(), want === null ? null : [...want].sort(), src);
  }
});

t.test('the automaton finds literals anywhere, case-insensitively, and keeps the always-set', async t => {
  const ix = new LiteralIndex(3, [['user unknown'], null, ['quota', 'mailbox full']]);
  const c = ix.candidates('550 5.1.1 <X@Y>: USER UNKNOWN in table');
  t.same(c.hits, [0, 1]);
  t.same(ix.candidates('452 over QUOTA').hits, [1, 2]);
  t.same(ix.candidates('Ünïcödé only').hits, [1]);
  const again = ix.candidates('nothing');
  t.equal(c.stamp[0] === again.epoch, false, 'an earlier answer is not mistaken for a later one');
});

t.test('no shipped regex is ever ruled out on a text it matches', async t => {
  const texts = shipped.rules.flatMap(r => r.samples.map(s => s.text));
  const variants = texts.flatMap(x => [x, x.toUpperCase(), x.toLowerCase(), `prefix İ ${x} ſuffix`]);
  const regexes = [...shipped.rules, ...shipped.providers].filter(r => r.text !== null);
  const wrong: string[] = [];
  for (const text of variants) {
    const maybe = shipped.prefilter.candidates(text);
    for (const r of regexes) {
      if (r.text!.test(text) && maybe.stamp[r.textId] !== maybe.epoch) wrong.push(`${r.id}: ${text.slice(0, 60)}`);
    }
  }
  t.same(wrong, []);
  t.ok(regexes.length > 80, `${regexes.length} regexes checked on ${variants.length} texts`);
});
