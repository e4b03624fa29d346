/** The tiny demo models (real tokenizers, random weights) that scripts/make-models.mjs writes to public/hub. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const TINY_ROOT = resolve(process.cwd(), 'public/hub/iris');

/** The folder of `iris/tiny-<family>` (generated on first use, deterministically, in under a second). */
export function tinyModelDir(family: string): string {
  const dir = join(TINY_ROOT, `tiny-${family}`, 'resolve/main');
  if (!existsSync(join(dir, 'model.safetensors'))) {
    const run = spawnSync(process.execPath, ['scripts/make-models.mjs', '--tiny'], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error('scripts/make-models.mjs --tiny failed');
  }
  return dir;
}

export const readText = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
export const readBytes = (dir: string, file: string) => new Uint8Array(readFileSync(join(dir, file)));
