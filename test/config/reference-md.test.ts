// README.md's configuration reference is generated from the schema (src/config/reference-md.ts);
// this keeps the committed table identical to the rendering, as config.test.ts does for
// config/default.yaml.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { REFERENCE_END, REFERENCE_START, renderConfigReference, renderConfigReferenceBlock } from '../../src/config/reference-md.js';
import { schema } from '../../src/config/schema.js';
import { envName, leaves } from '../../src/config/spec.js';

const README = join(import.meta.dirname, '../../README.md');
const REGENERATE = 'regenerate: npm run build && node -e "import(\'./dist/src/config/reference-md.js\').then(m => console.log(m.renderConfigReferenceBlock()))" and paste it over the block';

t.test("README's configuration table is exactly what the schema renders", async t => {
  const text = readFileSync(README, 'utf8');
  t.equal(text.split(REFERENCE_START).length - 1, 1, 'one start marker');
  t.equal(text.split(REFERENCE_END).length - 1, 1, 'one end marker');
  const start = text.indexOf(REFERENCE_START);
  const end = text.indexOf(REFERENCE_END) + REFERENCE_END.length;
  t.equal(text.slice(start, end), renderConfigReferenceBlock(), REGENERATE);
});

t.test('one row per setting, in schema order, with its variable and default', async t => {
  const rows = renderConfigReference().trimEnd().split('\n').slice(2);
  const all = leaves(schema);
  t.equal(rows.length, all.length);
  all.forEach(({ path, spec }, i) => {
    const row = rows[i] ?? '';
    t.ok(row.startsWith(`| \`${path.join('.')}\` | \`${envName(path)}\` | `), `row ${i + 1} is ${path.join('.')}`);
    t.ok(row.includes(spec.doc.replace(/\|/g, '\\|')), `row ${i + 1} carries the doc line`);
    t.equal(row.split(/(?<!\\)\|/).length, 6, `row ${i + 1} has four cells`);
  });
  t.match(renderConfigReference(), '| `smtp.port` | `BOUNCE_TRIAGE_SMTP_PORT` | `2525` |');
  t.match(renderConfigReference(), '| `stream.sources` | `BOUNCE_TRIAGE_STREAM_SOURCES` | `header,feedback-id,list-id,from-domain` |', 'lists as an env var writes them');
  t.match(renderConfigReference(), '| `webhook.url` | `BOUNCE_TRIAGE_WEBHOOK_URL` | *(empty)* |');
  t.match(renderConfigReference(), /`webhook\.secrets`.*\*Secret: redacted/, 'secrets are marked');
});
