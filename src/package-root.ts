// Finds the package root (the folder holding our package.json) from this module's location, so
// shipped files (config/rules, config/default.yaml) resolve the same way from src/ under tap and
// from dist/src/ after tsc.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config'))) return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('bounce-triage: cannot find the package root (package.json next to config/)');
    dir = up;
  }
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
