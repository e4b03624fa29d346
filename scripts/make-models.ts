/**
 * Random-weight checkpoints with the exact tensor names, shapes and config files of the real Hub models, for
 * speed and memory work at real sizes without downloading anything; and the tiny demo models.
 *
 *   node scripts/make-models.mjs --model all --dtype f32,f16 [--seed 0]   → weights/generated/<repo>/<dtype>/
 *   node scripts/make-models.mjs --tiny [--seed 0]                        → public/hub/iris/tiny-<family>/resolve/main/
 *
 * Each folder gets config.json (+ preprocessor_config.json, generation_config.json), model.safetensors written
 * as a stream, and the tokenizer files from weights/tokenizers (the real files, kept in the repository so the
 * demo works offline). (scripts/make-models.mjs runs this file
 * through Vite's module runner, since Node 20 cannot run TypeScript.)
 */
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeSafetensors, type ByteSink, type TensorData, type TensorHeader } from '../src/weights/safetensors-writer';
import type { ParamSpec, StateDictOptions } from '../src/families/stand-in-spec';
import { HUB_MODELS, LAYOUT_OPTIONS, layoutsOf, stateDictFor, TINY_MODELS, type TokenizerKind } from './models/index';
import { planShards } from './models/shards';
import { tensorFor, type FloatDtype } from './models/values';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HUB_FILES = join(ROOT, 'scripts/models/hub');
const TOKENIZERS = join(ROOT, 'weights/tokenizers');
/** The demo app serves public/hub in the Hub's URL layout, so tiny models load through the real download path. */
export const TINY_ROOT = join(ROOT, 'public/hub');
export const tinyRepo = (name: string) => `iris/tiny-${name}`;

const USAGE = `Usage:
  node scripts/make-models.mjs [--model NAMES] [--dtype f32|f16|f32,f16] [--seed N] [--out DIR]
  node scripts/make-models.mjs --tiny [--seed N] [--out DIR]

  --model  comma-separated Hub ids or their last part (clip-vit-base-patch32, clip-vit-base-patch16,
           git-base-coco, vit-gpt2-image-captioning), or "all" (default)
  --dtype  weight dtype(s) of the full-size models (default f16); the tiny models are always f16
  --seed   random seed (default 0); the same seed gives byte-identical files
  --out    output root (default weights/generated, or public/hub with --tiny)
  --shard-mb N
           write shards of at most N MB (10^6 bytes) and model.safetensors.index.json instead of one
           model.safetensors, as save_pretrained(max_shard_size="NMB") does; the folder gets -shards-<N>mb
${LAYOUT_OPTIONS.map(({ family, option }) => `  --${option.flag} ${option.values.join('|')}
           (${family} models) ${option.help}; default ${option.values[0]}, otherwise the folder gets -<value>`).join('\n')}`;

/** Writes to a file descriptor synchronously: with a generator feeding it, memory stays at one chunk. */
class FileSink implements ByteSink {
  constructor(private readonly fd: number) {}
  write(bytes: Uint8Array): void {
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done);
  }
}

interface FolderFiles {
  /** Parsed config.json, for the spec. */
  config: object;
  /** Every JSON file to write (config.json included), by file name, as text. */
  texts: Record<string, string>;
  tokenizer: TokenizerKind;
}

const jsonText = (value: object): string => `${JSON.stringify(value, null, 2)}\n`;

function tokenizerFiles(kind: TokenizerKind): string[] {
  const dir = join(TOKENIZERS, kind);
  if (!existsSync(dir)) throw new Error(`Tokenizer files not found: ${dir}.`);
  return readdirSync(dir).filter((f) => f !== 'vectors.json' && !f.endsWith('.md')).map((f) => join(dir, f));
}

/** Writes one safetensors file through a .partial file, so a killed run leaves no truncated file; returns its bytes. */
async function writeCheckpoint(target: string, tensors: ReadonlyArray<TensorHeader & { data: TensorData }>): Promise<number> {
  const partial = `${target}.partial`;
  const fd = openSync(partial, 'w');
  try {
    return (await writeSafetensors(new FileSink(fd), tensors)).fileBytes;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    closeSync(fd);
    if (existsSync(partial)) renameSync(partial, target);
  }
}

/**
 * Writes one model folder: the JSON files, the tokenizer files, and model.safetensors, or, with `shardBytes`,
 * the shards and model.safetensors.index.json that save_pretrained(max_shard_size=…) would write.
 */
async function writeFolder(dir: string, files: FolderFiles, dtype: FloatDtype, seed: number, options: StateDictOptions = {}, shardBytes?: number): Promise<void> {
  const started = performance.now();
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files.texts)) writeFileSync(join(dir, name), text);
  for (const source of tokenizerFiles(files.tokenizer)) {
    const target = join(dir, basename(source));
    copyFileSync(source, target);
  }

  const specs: ParamSpec[] = stateDictFor(files.config, options);
  const tensors = specs.map((s) => tensorFor(s, dtype, seed));
  let bytes = 0;
  let written: string;
  if (shardBytes === undefined) {
    written = join(dir, 'model.safetensors');
    bytes = await writeCheckpoint(written, tensors);
  } else {
    const plan = planShards(tensors, shardBytes);
    for (const shard of plan.shards) bytes += await writeCheckpoint(join(dir, shard.file), shard.tensors);
    written = join(dir, 'model.safetensors.index.json');
    writeFileSync(written, plan.index);
  }
  const seconds = (performance.now() - started) / 1000;
  const count = (kinds: string[]): number =>
    specs.filter((s) => kinds.includes(s.init.kind)).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  const buffers = count(['arange', 'causal-mask']);
  console.log(
    `${relative(ROOT, written).startsWith('..') ? written : relative(ROOT, written)}: ${specs.length} tensors, ${(count(['normal', 'constant']) / 1e6).toFixed(1)}M float values` +
      `${buffers ? ` + ${buffers.toLocaleString('en')} integer buffer elements` : ''}, ` +
      `${(bytes / 2 ** 20).toFixed(1)} MiB in ${seconds.toFixed(1)} s`,
  );
}

/** The real repository's JSON files, kept in scripts/models/hub/<repo>/: text verbatim, and parsed. */
function hubFiles(repo: string): { texts: Record<string, string>; json: Record<string, Record<string, unknown>> } {
  const dir = join(HUB_FILES, repo);
  const texts: Record<string, string> = {};
  const json: Record<string, Record<string, unknown>> = {};
  for (const name of readdirSync(dir)) {
    texts[name] = readFileSync(join(dir, name), 'utf8');
    json[name] = JSON.parse(texts[name]) as Record<string, unknown>;
  }
  if (!json['config.json']) throw new Error(`${dir} has no config.json.`);
  return { texts, json };
}

function selectModels(names: string): typeof HUB_MODELS {
  if (names === 'all') return HUB_MODELS;
  return names.split(',').map((name) => {
    const model = HUB_MODELS.find((m) => m.repo === name || m.repo.split('/')[1] === name);
    if (!model) throw new Error(`Unknown model "${name}". Known: ${HUB_MODELS.map((m) => m.repo).join(', ')}, or "all".`);
    return model;
  });
}

function parseDtypes(value: string): FloatDtype[] {
  return value.split(',').map((d) => {
    if (d !== 'f32' && d !== 'f16') throw new Error(`--dtype must be f32, f16 or f32,f16; got "${value}".`);
    return d;
  });
}

export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        model: { type: 'string', default: 'all' },
        dtype: { type: 'string', default: 'f16' },
        seed: { type: 'string', default: '0' },
        out: { type: 'string' },
        tiny: { type: 'boolean', default: false },
        ...Object.fromEntries(LAYOUT_OPTIONS.map(({ option }) => [option.flag, { type: 'string' } as const])),
        'shard-mb': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const seed = Number(args.seed);
  if (!Number.isSafeInteger(seed)) {
    console.error(`--seed must be an integer, got "${args.seed}".`);
    return 2;
  }
  const shardMb = args['shard-mb'] === undefined ? undefined : Number(args['shard-mb']);
  if (shardMb !== undefined && !(shardMb > 0)) {
    console.error(`--shard-mb must be a positive number, got "${args['shard-mb']}".`);
    return 2;
  }
  const layout: Record<string, string> = {};
  for (const { option } of LAYOUT_OPTIONS) {
    const value = (args as Record<string, unknown>)[option.flag];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !option.values.includes(value)) {
      console.error(`--${option.flag} must be ${option.values.join(', ')}; got "${String(value)}".`);
      return 2;
    }
    layout[option.flag] = value;
  }
  try {
    if (args.tiny) {
      const root = resolve(args.out ?? TINY_ROOT);
      for (const tiny of TINY_MODELS) {
        const shrunk = tiny.files();
        const texts: Record<string, string> = {
          'config.json': jsonText(shrunk.config),
          'preprocessor_config.json': jsonText(shrunk.preprocessor),
          ...(shrunk.generation && { 'generation_config.json': jsonText(shrunk.generation) }),
        };
        await writeFolder(join(root, tinyRepo(tiny.name), 'resolve/main'), { config: shrunk.config, texts, tokenizer: tiny.tokenizer }, 'f16', seed);
      }
    } else {
      const root = resolve(args.out ?? join(ROOT, 'weights/generated'));
      const dtypes = parseDtypes(args.dtype);
      for (const model of selectModels(args.model)) {
        const { texts, json } = hubFiles(model.repo);
        const config = json['config.json']!;
        // The layout options of this model's family that differ from their default name the folder.
        const chosen = layoutsOf(config).filter((option) => layout[option.flag] !== undefined && layout[option.flag] !== option.values[0]);
        for (const dtype of dtypes) {
          const folder = [dtype, ...chosen.map((option) => layout[option.flag]!), ...(shardMb === undefined ? [] : [`shards-${shardMb}mb`])].join('-');
          await writeFolder(join(root, model.repo, folder), { config, texts, tokenizer: model.tokenizer }, dtype, seed, { layout }, shardMb && shardMb * 1e6);
        }
      }
    }
  } catch (error) {
    console.error(`make-models: ${(error as Error).message}`);
    return 1;
  }
  return 0;
}
