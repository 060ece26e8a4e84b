// `npm run bench` (all) / `npm run bench:classify` / `npm run bench:smtp`: prints figures with a
// baseline measured in the same run. The corpus defaults to ../shared/corpus/emails (override
// with BENCH_CORPUS=/path/to/emails).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { benchClassify, corpusFiles } from './classify.js';
import { benchSmtp } from './smtp.js';
import { packageRoot } from '../src/package-root.js';

const corpus = process.env.BENCH_CORPUS ?? join(packageRoot(), '../shared/corpus/emails');
if (!existsSync(corpus)) {
  process.stderr.write(`bench: corpus not found at ${corpus} (set BENCH_CORPUS)\n`);
  process.exit(2);
}
const which = process.argv[2] ?? 'all';
const env = { node: process.version, cpus: (await import('node:os')).cpus().length, corpus };
process.stdout.write(`# bounce-triage bench ${JSON.stringify(env)}\n`);
if (which === 'all' || which === 'classify') {
  process.stdout.write(`## classify (parse + classify, one process)\n${JSON.stringify(await benchClassify(corpus), null, 2)}\n`);
}
if (which === 'all' || which === 'smtp') {
  const total = Number(process.env.BENCH_SMTP_MESSAGES ?? 3000);
  process.stdout.write(`## smtp (end to end, SQLite synchronous=FULL)\n${JSON.stringify(await benchSmtp(corpusFiles(corpus), total), null, 2)}\n`);
}
