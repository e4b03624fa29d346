// The library's type declarations (second half of `npm run build:lib`): tsc -p tsconfig.lib.json writes
// dist/lib/types/, then every relative import in them gets the file extension that TypeScript's Node16 /
// NodeNext resolution requires in an ES module package (`'../index'` → `'../index.js'`, a folder →
// `'./x/index.js'`), so the published types work with "moduleResolution": "bundler" and "nodenext" alike.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const TYPES = 'dist/lib/types';
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.lib.json'], { stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);

const declarations = readdirSync(TYPES, { recursive: true }).map(String).filter((f) => f.endsWith('.d.ts'));
const unresolved = [];
for (const file of declarations) {
  const path = join(TYPES, file);
  const source = readFileSync(path, 'utf8');
  const fixed = source.replace(/(\bfrom\s+|\bimport\s*\(\s*)(['"])(\.\.?\/[^'"]*)\2/g, (whole, lead, quote, specifier) => {
    if (/\.(js|mjs|cjs|json)$/.test(specifier)) return whole;
    const base = resolve(dirname(path), specifier);
    if (existsSync(`${base}.d.ts`)) return `${lead}${quote}${specifier}.js${quote}`;
    if (existsSync(join(base, 'index.d.ts'))) return `${lead}${quote}${specifier.replace(/\/$/, '')}/index.js${quote}`;
    unresolved.push(`${path}: ${specifier}`);
    return whole;
  });
  if (fixed !== source) writeFileSync(path, fixed);
}
if (unresolved.length) {
  console.error(`lib-declarations: no declaration file for\n  ${unresolved.join('\n  ')}`);
  process.exit(1);
}
