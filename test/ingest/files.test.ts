// readMessages: the file reader behind `bounce-triage classify`. A file, a directory tree
// (maildir cur/new/tmp or folders of .eml), an mbox, or stdin; stable order, 1-based message
// numbers, and a clear AppError for paths that cannot be read.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { readMessages, splitMbox } from '../../src/ingest/files.js';
import type { FoundMessage } from '../../src/ingest/files.js';
import { AppError } from '../../src/errors.js';

const CORPUS = fileURLToPath(new URL('../fixtures/corpus/', import.meta.url));
const POSTFIX = readFileSync(CORPUS + 'maildir/bsd/lhost-postfix-02.eml');
const EXIM = readFileSync(CORPUS + 'maildir/bsd/lhost-exim-01.eml');
const CORPUS_MBOX = join(import.meta.dirname, '../fixtures/corpus/mailbox/mbox-0');

async function all(target: string, stdin?: NodeJS.ReadableStream): Promise<FoundMessage[]> {
  const out: FoundMessage[] = [];
  for await (const m of readMessages(target, stdin)) out.push(m);
  return out;
}

t.test('a single file is one message, numbered 1, bytes untouched', async t => {
  const file = CORPUS + 'maildir/mac/rhost-microsoft-01.eml';
  const found = await all(file);
  t.equal(found.length, 1);
  t.equal(found[0]!.file, file);
  t.equal(found[0]!.message, 1);
  t.ok(found[0]!.raw.equals(readFileSync(file)));
});

t.test('a directory is walked recursively, sorted, dotfiles skipped', async t => {
  const dir = t.testdir({
    'Maildir': {
      cur: { 'b.eml': 'B', 'a.eml': 'A' },
      new: { 'c.eml': 'C' },
      tmp: {},
      '.hidden': { 'x.eml': 'X' },
    },
    'z.eml': 'Z',
    '.dotfile': 'D',
    'empty.eml': '',
  });
  const found = await all(dir);
  t.same(found.map(m => [m.file.slice(dir.length + 1), m.message, m.raw.toString()]), [
    [join('Maildir', 'cur', 'a.eml'), 1, 'A'],
    [join('Maildir', 'cur', 'b.eml'), 1, 'B'],
    [join('Maildir', 'new', 'c.eml'), 1, 'C'],
    ['empty.eml', 1, ''],
    ['z.eml', 1, 'Z'],
  ]);
});

t.test('the corpus fixture folders read as maildirs of .eml files', async t => {
  const found = await all(CORPUS + 'maildir/not');
  t.same(found.map(m => [m.file.slice(CORPUS.length), m.message]), [
    ['maildir/not/is-not-bounce-01.eml', 1],
    ['maildir/not/is-not-bounce-02.eml', 1],
    // This one starts with an mbox postmark and quotes another postmark inside: two messages.
    ['maildir/not/rb-issue-368-bug.eml', 1],
    ['maildir/not/rb-issue-368-bug.eml', 2],
  ]);
  const sizes = await all(CORPUS + 'mailbox');
  t.same(sizes.filter(m => m.file.includes('size-')).map(m => [m.file.slice(CORPUS.length), m.raw.length]), [
    ['mailbox/size-0', 0], ['mailbox/size-1', 1], ['mailbox/size-2', 3],
  ], 'empty and tiny files are yielded, not skipped');
});

t.test('an mbox is split on From lines and >From is unquoted', async t => {
  const first = Buffer.concat([POSTFIX, Buffer.from('\n>From the body of the first message\n>>From stays quoted once\n')]);
  const mbox = Buffer.concat([
    Buffer.from('From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n'), first, Buffer.from('\n'),
    Buffer.from('From MAILER-DAEMON  Fri Apr 30 23:34:45 2010\n'), EXIM,
  ]);
  const dir = t.testdir({ 'two.mbox': mbox });
  const found = await all(join(dir, 'two.mbox'));
  t.same(found.map(m => [m.file, m.message]), [[join(dir, 'two.mbox'), 1], [join(dir, 'two.mbox'), 2]]);
  const one = found[0]!.raw.toString('latin1');
  t.ok(one.startsWith('Return-Path: <>'), 'postmark line dropped');
  t.ok(one.includes('\nFrom the body of the first message\n'), '>From unquoted');
  t.ok(one.includes('\n>From stays quoted once\n'), 'one level of quoting removed');
  t.ok(found[1]!.raw.equals(EXIM), 'the last message is byte-identical');
});

t.test('mbox splitting works with CR-only line endings', async t => {
  const parts = splitMbox(Buffer.from('From a Thu\rSubject: one\r\rbody1\r>From the past\r\rFrom b Fri\rSubject: two\r\rbody2\r'));
  t.same(parts.map(p => p.toString()), ['Subject: one\r\rbody1\rFrom the past\r', 'Subject: two\r\rbody2\r']);
});

t.test('mbox splitting keeps CRLF messages intact', async t => {
  const parts = splitMbox(Buffer.from('From a Thu\r\nSubject: one\r\n\r\nbody1\r\n\r\nFrom b Fri\r\nSubject: two\r\n\r\nbody2\r\n'));
  t.same(parts.map(p => p.toString()), ['Subject: one\r\n\r\nbody1\r\n', 'Subject: two\r\n\r\nbody2\r\n']);
});

t.test('the corpus mbox holds 37 messages', async t => {
  const found = await all(CORPUS_MBOX);
  t.equal(found.length, 37);
  t.same(found.map(m => m.message), Array.from({ length: 37 }, (_, i) => i + 1));
  t.ok(found.every(m => m.raw.length > 100 && !m.raw.subarray(0, 5).equals(Buffer.from('From '))));
});

t.test('- reads one message (or an mbox) from stdin', async t => {
  const one = await all('-', Readable.from([POSTFIX.subarray(0, 100), POSTFIX.subarray(100)]));
  t.equal(one.length, 1);
  t.equal(one[0]!.file, '-');
  t.ok(one[0]!.raw.equals(POSTFIX));
  const two = await all('-', Readable.from([Buffer.from('From a\nSubject: 1\n\nx\n\nFrom b\nSubject: 2\n\ny\n')]));
  t.same(two.map(m => [m.file, m.message]), [['-', 1], ['-', 2]]);
});

t.test('unreadable paths raise INPUT_UNREADABLE with a clear message', async t => {
  const missing = '/nonexistent/bounce-triage/nothing.eml';
  await t.rejects(all(missing), { name: 'AppError', code: 'INPUT_UNREADABLE', message: `cannot read ${missing}: no such file or directory` });
  const failing = new Readable({ read() { this.destroy(new Error('broken pipe')); } });
  await t.rejects(all('-', failing), { code: 'INPUT_UNREADABLE', message: 'cannot read standard input: broken pipe' });
  const err = await all(missing).catch((e: unknown) => e);
  t.ok(err instanceof AppError);
});

t.test('a path through a file (ENOTDIR) is reported, whoever runs the test', async t => {
  // Permission bits cannot be tested portably (CI runs as root); a path that continues past a
  // regular file fails for every user.
  const dir = t.testdir({ 'a.eml': 'x' });
  const bad = join(dir, 'a.eml', 'b.eml');
  await t.rejects(all(bad), { code: 'INPUT_UNREADABLE', message: new RegExp(`^cannot read ${bad.replace(/[.]/g, '\\.')}: `) });
});
