// Validator for docs/webhook.schema.json (ajv, draft 2020-12), so tests check every body the
// daemon builds or sends against the published contract.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export function webhookValidator() {
  const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/webhook.schema.json'), 'utf8')) as object;
  const ajv = new Ajv2020.default({ allErrors: true, strict: true });
  addFormats.default(ajv);
  return ajv.compile(schema);
}
