// Renders the configuration reference of README.md ("Operate" → "Configuration") from the schema:
// one table row per setting with its environment variable, default and doc line, so the README
// can never drift from the real settings (test/config/reference-md.test.ts compares the two, as
// test/config/config.test.ts does for config/default.yaml).
import { schema } from './schema.js';
import { envName, leaves, type Spec } from './spec.js';

/** The markers around the generated table in README.md. */
export const REFERENCE_START = '<!-- config-reference:start (generated from src/config/schema.ts by src/config/reference-md.ts; do not edit) -->';
export const REFERENCE_END = '<!-- config-reference:end -->';

/** The Markdown table of every setting, in schema order, ending with a newline. */
export function renderConfigReference(): string {
  const rows = leaves(schema).map(({ path, spec }) =>
    `| \`${path.join('.')}\` | \`${envName(path)}\` | ${defaultCell(spec)} | ${cell(spec.doc)}${spec.secret ? ' *Secret: redacted by `config --print`.*' : ''} |`);
  return [
    '| key | environment variable | default | meaning |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n') + '\n';
}

/** The README text between the markers, markers included (what the test compares). */
export function renderConfigReferenceBlock(): string {
  return `${REFERENCE_START}\n${renderConfigReference()}${REFERENCE_END}`;
}

/** The default as it would be written in an environment variable (lists comma-separated). */
function defaultCell(spec: Spec): string {
  const text = spec.type === 'list' ? spec.default.join(',') : String(spec.default);
  return text === '' ? '*(empty)*' : code(text);
}

/** Inline code that survives any backtick or pipe inside the value. */
function code(text: string): string {
  const escaped = text.replace(/\|/g, '\\|');
  return escaped.includes('`') ? `\`\` ${escaped} \`\`` : `\`${escaped}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
