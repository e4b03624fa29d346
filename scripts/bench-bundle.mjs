#!/usr/bin/env node
// Builds .bench-bundle/ (ignored by git): the Node benchmark as one self-contained folder for a GPU machine
// that has no node_modules, no network and perhaps no Node, small enough to travel with the working tree
// (64 MiB there):
//
//   bin/bench.mjs          test/bench/bundle-main.ts with everything it imports (src/, test/bench,
//                          test/helpers/hub-server.ts, scripts/make-models.ts) bundled by Vite into one file
//   bin/dawn.node.gz       Dawn's Node bindings (npm `webgpu`, linux-x64), gzipped
//   scripts/models/hub/, weights/tokenizers/   the config and tokenizer files make-models reads
//   lib/                   the Vulkan loader and glvnd libraries of this machine (libvulkan1, libglvnd0,
//                          libgl1, libglx0, libegl1, libopengl0, libgles2), used only where the GPU
//                          machine lacks them (NVIDIA's Vulkan ICD links against glvnd)
//   node.gz                this Node binary, gzipped, used only where the GPU machine has no Node ≥ 20
//   run.sh                 sets up the above and runs bin/bench.mjs with its arguments
//
// The checkpoints (4 GB) do not travel: `sh .bench-bundle/run.sh make-models ...` generates them there, and
// the benchmark generates any that are missing itself. Usage: README.md, "Benchmarks".
//
//   node scripts/bench-bundle.mjs [--no-node] [--out DIR]
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: '.bench-bundle' }, 'no-node': { type: 'boolean', default: false } } });
const OUT = resolve(args.out);
const LIMIT = 64 * 2 ** 20;

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

await build({
  configFile: false,
  logLevel: 'warn',
  publicDir: false,
  build: {
    ssr: 'test/bench/bundle-main.ts',
    outDir: join(OUT, 'bin'),
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    rollupOptions: { external: ['webgpu'], output: { entryFileNames: 'bench.mjs', codeSplitting: false } },
  },
  // Bundle every dependency (idb-keyval); only Node's built-ins stay imports. `webgpu` is imported only
  // when dawn.node is not beside the bundle.
  ssr: { noExternal: true, external: ['webgpu'] },
});

// Dawn's Node bindings for linux-x64 (the GPU machine is x86-64 whatever this machine is), gzipped
// (21 → 7 MiB); run.sh unpacks it and names it in IRIS_DAWN_NODE.
const webgpu = dirname(createRequire(import.meta.url).resolve('webgpu'));
writeFileSync(join(OUT, 'bin/dawn.node.gz'), gzipSync(readFileSync(join(webgpu, 'dist/linux-x64/dawn.node')), { level: 9 }));

// What scripts/make-models.ts reads, at the same paths relative to its ROOT (the parent of bin/).
cpSync('scripts/models/hub', join(OUT, 'scripts/models/hub'), { recursive: true });
cpSync('weights/tokenizers', join(OUT, 'weights/tokenizers'), { recursive: true });

// The Vulkan loader and glvnd from this machine's Debian packages, for a machine without them.
const libs = ['libvulkan.so.1', 'libGLdispatch.so.0', 'libGLX.so.0', 'libEGL.so.1', 'libOpenGL.so.0', 'libGL.so.1', 'libGLESv2.so.2'];
mkdirSync(join(OUT, 'lib'));
const cache = ldconfigCache();
const missingLibs = [];
for (const lib of libs) {
  const path = cache.get(lib);
  if (path && existsSync(path)) copyFileSync(realpathSync(path), join(OUT, 'lib', lib));
  else missingLibs.push(lib);
}

if (!args['no-node'] && process.platform === 'linux' && process.arch === 'x64') {
  writeFileSync(join(OUT, 'node.gz'), gzipSync(readFileSync(process.execPath), { level: 9 }));
}

writeFileSync(join(OUT, 'run.sh'), RUN_SH());
chmodSync(join(OUT, 'run.sh'), 0o755);

const size = folderSize(OUT);
console.log(`${OUT}: ${(size / 2 ** 20).toFixed(1)} MiB (what travels to the GPU machine, this and the tracked tree, must stay under 64 MiB)`);
for (const entry of readdirSync(OUT)) console.log(`  ${entry.padEnd(10)} ${(folderSize(join(OUT, entry)) / 2 ** 20).toFixed(1)} MiB`);
if (missingLibs.length) console.log(`  (not on this machine, so not bundled: ${missingLibs.join(', ')})`);
if (args['no-node'] || !existsSync(join(OUT, 'node.gz'))) console.log('  (no Node binary bundled: the GPU machine must have Node ≥ 20)');
if (size > LIMIT - 8 * 2 ** 20) {
  console.error('The bundle leaves under 8 MiB of the 64 MiB trip for the working tree: build with --no-node if the GPU machine has Node ≥ 20.');
  process.exitCode = 1;
}

function ldconfigCache() {
  const map = new Map();
  try {
    const text = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH}:/sbin:/usr/sbin` } });
    for (const line of text.split('\n')) {
      const m = /^\s*(\S+) \(([^)]*)\) => (\S+)$/.exec(line);
      if (m && m[2].includes('x86-64') && !map.has(m[1])) map.set(m[1], m[3]);
    }
  } catch {
    // no ldconfig: nothing bundled; run.sh then relies on the system's loader
  }
  return map;
}

function folderSize(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + folderSize(join(path, entry)), 0);
}

function RUN_SH() {
  return `#!/bin/sh
# Runs the Iris benchmark from this folder (built by scripts/bench-bundle.mjs) on a machine without
# node_modules or network. Arguments go to the benchmark (test/bench/node-bench.ts), e.g.
#   sh .bench-bundle/run.sh --weights /tmp/iris-weights --out-dir "$OUT"
#   sh .bench-bundle/run.sh make-models --model all --dtype f32,f16 --out /tmp/iris-weights
set -e
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
PATH="$PATH:/sbin:/usr/sbin"

# Node >= 20: the system's, else the bundled binary (unpacked once into /tmp; a per-process name, then an
# atomic rename, so runs started together do not clobber each other).
node=""
if command -v node >/dev/null 2>&1 && node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null; then
  node=$(command -v node)
elif [ -f "$here/node.gz" ]; then
  node=/tmp/iris-bench-node/node
  if [ ! -x "$node" ] || [ "$here/node.gz" -nt "$node" ]; then
    mkdir -p /tmp/iris-bench-node
    gzip -dc "$here/node.gz" > "$node.$$" && chmod +x "$node.$$" && mv "$node.$$" "$node"
  fi
else
  echo "run.sh: no Node >= 20 here and none bundled (rebuild without --no-node)" >&2
  exit 1
fi
# Dawn's bindings, unpacked once.
if [ -z "$IRIS_DAWN_NODE" ]; then
  export IRIS_DAWN_NODE=/tmp/iris-bench-node/dawn.node
  if [ ! -f "$IRIS_DAWN_NODE" ] || [ "$here/bin/dawn.node.gz" -nt "$IRIS_DAWN_NODE" ]; then
    mkdir -p /tmp/iris-bench-node
    gzip -dc "$here/bin/dawn.node.gz" > "$IRIS_DAWN_NODE.$$" && mv "$IRIS_DAWN_NODE.$$" "$IRIS_DAWN_NODE"
  fi
fi

# The Vulkan loader and glvnd (NVIDIA's ICD links against libGLdispatch) where the system lacks them.
have() { ldconfig -p 2>/dev/null | grep -q "[[:space:]]$1 "; }
if ! have libvulkan.so.1 || ! have libGLdispatch.so.0; then
  export LD_LIBRARY_PATH="$here/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
# NVIDIA's driver mounted outside the loader's search paths (as on this workplace's GPU machines).
if [ -z "$VK_ICD_FILENAMES$VK_DRIVER_FILES" ] && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
if [ -d /usr/local/nvidia/lib64 ] && ! have libGLX_nvidia.so.0; then
  export LD_LIBRARY_PATH="\${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/local/nvidia/lib64"
fi
export XDG_RUNTIME_DIR="\${XDG_RUNTIME_DIR:-/tmp}"
exec "$node" "$here/bin/bench.mjs" "$@"
`;
}
