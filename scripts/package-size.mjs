#!/usr/bin/env node
// The package's size budget, printed by every `npm run bench` (and by `node scripts/package-size.mjs`):
// builds the library (npm run build:lib), then reports what `npm pack` would publish (tarball and unpacked
// size), the install size with the runtime dependencies, and the gzip size (level 9) of what a page loads
// for the API entry, the components entry (each with the chunks it imports) and the worker.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const LIB = 'dist/lib';

function npm(args) {
  const run = spawnSync('npm', args, { encoding: 'utf8', stdio: 'pipe', env: { ...process.env, NODE_ENV: 'production' } });
  if (run.status !== 0) throw new Error(`npm ${args.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

function folderBytes(dir) {
  return readdirSync(dir, { recursive: true }).map((f) => join(dir, String(f))).filter((f) => statSync(f).isFile())
    .reduce((sum, f) => sum + statSync(f).size, 0);
}

/** The entry file and every chunk it imports statically (relative imports between the library's files). */
function closure(entry) {
  const files = new Set();
  const visit = (file) => {
    if (files.has(file)) return;
    files.add(file);
    const code = readFileSync(join(LIB, file), 'utf8');
    for (const [, specifier] of code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[^'"();]*?\sfrom\s*)?["'](\.\/[^"']+)["']/g)) {
      visit(posix.normalize(posix.join(posix.dirname(file), specifier)));
    }
  };
  visit(entry);
  return [...files];
}

const gzipBytes = (files) => files.reduce((sum, f) => sum + gzipSync(readFileSync(join(LIB, f)), { level: 9 }).length, 0);

export function measurePackage() {
  npm(['run', 'build:lib']);
  const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
  const [pack] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts']));
  const dependencies = Object.keys(manifest.dependencies ?? {}).map((name) => ({ name, bytes: folderBytes(join('node_modules', name)) }));
  const entry = (subpath) => manifest.exports[subpath].default.replace(`./${LIB}/`, '');
  // The worker is the file the shipped code starts: new Worker(new URL("./<file>", import.meta.url), ...).
  const shipped = readdirSync(LIB).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(LIB, f), 'utf8')).join('\n');
  const worker = /new Worker\(new URL\(["']\.\/([^"']+)["']/.exec(shipped)?.[1];
  if (!worker) throw new Error(`no new Worker(new URL("./...", import.meta.url)) in ${LIB}`);
  const parts = { api: closure(entry('.')), components: closure(entry('./components')), worker: closure(worker) };
  return {
    name: `${manifest.name}@${manifest.version}`,
    tarballBytes: pack.size,
    unpackedBytes: pack.unpackedSize,
    files: pack.entryCount,
    dependencies,
    installBytes: pack.unpackedSize + dependencies.reduce((sum, d) => sum + d.bytes, 0),
    gzip: Object.fromEntries(Object.entries(parts).map(([part, files]) => [part, { files, bytes: gzipBytes(files) }])),
  };
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

export function formatPackageSize(size) {
  const deps = size.dependencies.map((d) => `${d.name} ${kib(d.bytes)}`).join(' + ');
  const gz = (label, { files, bytes }) => `${label} ${kib(bytes)} (${files.join(' + ')})`;
  return [
    `package ${size.name}: tarball ${kib(size.tarballBytes)}, unpacked ${kib(size.unpackedBytes)} (${size.files} files); install size ${kib(size.installBytes)} with ${deps}`,
    `package gzip (level 9): ${gz('API entry', size.gzip.api)}; ${gz('components entry', size.gzip.components)}; ${gz('worker', size.gzip.worker)}`,
  ].map((line) => `[bench] ${line}`).join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(formatPackageSize(measurePackage()));
