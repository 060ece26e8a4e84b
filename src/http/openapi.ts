// Serves docs/openapi.json (the API's contract, checked against the route table by a test). Read
// once from the package, so the document served is the one shipped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

let doc: unknown;

export function openApiDocument(): unknown {
  doc ??= JSON.parse(readFileSync(join(packageRoot(), 'docs', 'openapi.json'), 'utf8')) as unknown;
  return doc;
}
