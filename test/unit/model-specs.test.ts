/**
 * The model generator's pieces: the state_dict specs against the tensor lists that transformers itself saved
 * for the golden tiny models (../shared/golden/<model>/manifest.json), the streaming safetensors writer against
 * a minimal independent reader, and the values (seeded, f16 = f32ToF16Bits of f32).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isIrisError } from '../../src/errors';
import { f16BitsToF32, f32ToF16Bits } from '../../src/gpu/half';
import {
  encodeSafetensorsHeader,
  writeSafetensors,
  type ByteSink,
  type SafetensorsDtype,
  type TensorData,
  type TensorHeader,
} from '../../src/weights/safetensors-writer';
import { HUB_MODELS, stateDictFor, TINY_MODELS } from '../../scripts/models/index';
import { FAMILIES } from '../../src/families';
import type { ParamSpec } from '../../src/families/stand-in-spec';
import { floatChunks, floatValues, tensorFor, type FloatDtype } from '../../scripts/models/values';

const GOLDEN = path.resolve(process.cwd(), '../shared/golden');
const HUB = path.resolve(process.cwd(), 'scripts/models/hub');
const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

// ---- a minimal reader, independent of the writer ----------------------------------------------------------

class MemorySink implements ByteSink {
  private readonly parts: Uint8Array[] = [];
  write(bytes: Uint8Array): void {
    this.parts.push(bytes.slice()); // the writer may reuse its chunk buffers
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of this.parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }
}

interface ReadTensor {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

function readSafetensors(file: Uint8Array): { headerText: string; metadata: unknown; names: string[]; tensors: Map<string, ReadTensor> } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const headerText = new TextDecoder().decode(file.subarray(8, 8 + n));
  const header = JSON.parse(headerText) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const data = file.subarray(8 + n);
  const tensors = new Map<string, ReadTensor>();
  const names: string[] = [];
  let expectedBegin = 0;
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, end] = entry.data_offsets;
    expect(begin, `${name} starts where the previous tensor ends`).toBe(expectedBegin);
    expectedBegin = end;
    names.push(name);
    tensors.set(name, { dtype: entry.dtype, shape: entry.shape, bytes: data.subarray(begin, end) });
  }
  expect(expectedBegin, 'data section is exactly the tensors').toBe(data.length);
  return { headerText, metadata: header.__metadata__, names, tensors };
}

async function writeToMemory(tensors: ReadonlyArray<TensorHeader & { data: TensorData }>): Promise<Uint8Array> {
  const sink = new MemorySink();
  await writeSafetensors(sink, tensors);
  return sink.bytes();
}

const f32Of = (b: Uint8Array): Float32Array => new Float32Array(b.slice().buffer);
const u16Of = (b: Uint8Array): Uint16Array => new Uint16Array(b.slice().buffer);
const i64Of = (b: Uint8Array): BigInt64Array => new BigInt64Array(b.slice().buffer);
/** Every "vocab_size" in a config.json, nested sections included. */
function vocabSizes(config: unknown): number[] {
  if (typeof config !== 'object' || config === null) return [];
  return Object.entries(config).flatMap(([key, value]) => (key === 'vocab_size' && typeof value === 'number' ? [value] : vocabSizes(value)));
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

// ---- specs vs what transformers saved ---------------------------------------------------------------------

/** Every family's golden folder (../shared/golden/<family>), and the task variants whose checkpoint has other weights. */
const GOLDEN_FAMILIES = [...FAMILIES.map((f) => f.name), 'blip-vqa'];

function goldenTensors(family: string): Record<string, { dtype: string; shape: number[] }> {
  const manifest = readJson(path.join(GOLDEN, family, 'manifest.json')) as { files: Array<{ path: string; tensors?: Record<string, { dtype: string; shape: number[] }> }> };
  return manifest.files.find((f) => f.path === 'model.safetensors')!.tensors!;
}

const asShapes = (specs: readonly ParamSpec[]): Record<string, number[]> =>
  Object.fromEntries(specs.map((s) => [s.name, [...s.shape]]).sort(([a], [b]) => (a! < b! ? -1 : 1)));

/**
 * Buffers registered with persistent=False from the day they were added, so no checkpoint of any transformers
 * version carries them: BERT-style embeddings' all-zero token_type_ids (Chinese-CLIP's 753,106,020-byte
 * model.safetensors, pinned in the catalogue, has exactly the size of a state_dict without it).
 */
const NEVER_PERSISTENT = ['text_model.embeddings.token_type_ids'];

describe('model specs', () => {
  for (const family of GOLDEN_FAMILIES) {
    it(`${family}: names and shapes are exactly transformers' model.safetensors`, () => {
      const golden = goldenTensors(family);
      const expected = Object.fromEntries(Object.entries(golden).map(([name, t]) => [name, t.shape]));
      for (const file of ['config.full.json', 'config.json']) {
        const specs = stateDictFor(readJson(path.join(GOLDEN, family, file)), { legacyBuffers: false });
        expect(new Set(specs.map((s) => s.name)).size, 'no duplicate names').toBe(specs.length);
        expect(asShapes(specs), file).toEqual(expected);
      }
    });
  }

  it('adds the buffers old checkpoints carry when asked (the default for the Hub stand-ins)', () => {
    // Exactly the buffers that transformers 4.57 lists as non-persistent (not saved) for the golden models.
    for (const family of GOLDEN_FAMILIES) {
      const config = readJson(path.join(GOLDEN, family, 'config.json'));
      const current = new Set(stateDictFor(config, { legacyBuffers: false }).map((s) => s.name));
      const legacy = stateDictFor(config).filter((s) => !current.has(s.name));
      const manifest = readJson(path.join(GOLDEN, family, 'manifest.json'));
      const everSaved = (manifest.non_persistent_buffers_not_saved as string[]).filter((name) => !NEVER_PERSISTENT.includes(name));
      expect(legacy.map((s) => s.name).sort(), family).toEqual(everSaved.sort());
      for (const s of legacy) expect(['arange', 'causal-mask', 'constant'], s.name).toContain(s.init.kind);
    }
    const clipConfig = readJson(path.join(GOLDEN, 'clip/config.json')) as { vision_config: { image_size: number; patch_size: number } };
    const tokens = (clipConfig.vision_config.image_size / clipConfig.vision_config.patch_size) ** 2 + 1; // patches + class
    const clip = stateDictFor(clipConfig);
    expect(clip.find((s) => s.name === 'vision_model.embeddings.position_ids')).toMatchObject({ shape: [1, tokens], init: { kind: 'arange' } });
    const vitGpt2Config = readJson(path.join(GOLDEN, 'vit-gpt2/config.json')) as { decoder: { n_positions: number; n_layer: number } };
    const { n_positions: positions, n_layer: layers } = vitGpt2Config.decoder;
    const vitGpt2 = stateDictFor(vitGpt2Config);
    expect(vitGpt2.find((s) => s.name === `decoder.transformer.h.${layers - 1}.attn.bias`)).toMatchObject({ shape: [1, 1, positions, positions], init: { kind: 'causal-mask' } });
    expect(vitGpt2.find((s) => s.name === `decoder.transformer.h.${layers - 1}.attn.masked_bias`)).toMatchObject({ shape: [], init: { kind: 'constant', value: -1e4 } });
  });

  it('the Hub configs give the real models: parameter counts and key shapes', () => {
    const specsOf = (repo: string): ParamSpec[] => {
      return stateDictFor(readJson(path.join(HUB, repo, 'config.json')), { legacyBuffers: false });
    };
    const count = (specs: ParamSpec[]): number => specs.reduce((n, s) => n + numel(s.shape), 0);
    const shapeOf = (specs: ParamSpec[], name: string): readonly number[] | undefined => specs.find((s) => s.name === name)?.shape;

    const b32 = specsOf('openai/clip-vit-base-patch32');
    expect(count(b32)).toBe(151_277_313); // CLIPModel(openai/clip-vit-base-patch32).num_parameters()
    expect(shapeOf(b32, 'vision_model.embeddings.position_embedding.weight')).toEqual([50, 768]);
    expect(shapeOf(b32, 'text_model.embeddings.token_embedding.weight')).toEqual([49408, 512]);
    expect(shapeOf(b32, 'logit_scale')).toEqual([]);

    const b16 = specsOf('openai/clip-vit-base-patch16');
    expect(count(b16)).toBe(149_620_737);
    expect(shapeOf(b16, 'vision_model.embeddings.position_embedding.weight')).toEqual([197, 768]);

    const git = specsOf('microsoft/git-base-coco');
    expect(shapeOf(git, 'git.image_encoder.vision_model.embeddings.patch_embedding.weight')).toEqual([768, 3, 16, 16]);
    expect(shapeOf(git, 'git.embeddings.position_embeddings.weight')).toEqual([1024, 768]);
    expect(shapeOf(git, 'output.weight')).toEqual([30522, 768]);
    expect(git.filter((s) => s.name.startsWith('git.encoder.layer.') && s.name.endsWith('.attention.self.query.weight'))).toHaveLength(6);

    const vg = specsOf('nlpconnect/vit-gpt2-image-captioning');
    expect(shapeOf(vg, 'encoder.embeddings.position_embeddings')).toEqual([1, 197, 768]);
    expect(shapeOf(vg, 'decoder.transformer.h.11.attn.c_attn.weight')).toEqual([768, 2304]);
    expect(shapeOf(vg, 'decoder.transformer.h.11.crossattention.c_attn.weight')).toEqual([768, 1536]);
    expect(shapeOf(vg, 'decoder.transformer.h.11.mlp.c_fc.weight')).toEqual([768, 3072]);
    expect(shapeOf(vg, 'decoder.lm_head.weight')).toBeUndefined();
    // ViT-base (86.4M with pooler) + GPT-2 small (124.4M) + 12 cross-attention blocks (28.4M).
    expect(count(vg)).toBe(86_389_248 + 124_439_808 + 12 * (4 * 768 * 768 + 4 * 768 + 2 * 768));

    // The stand-ins' legacy buffers: 2 position_ids for CLIP and GIT; attn.bias + masked_bias ×2 ×12 for GPT-2.
    const extra = (repo: string): number => {
      return stateDictFor(readJson(path.join(HUB, repo, 'config.json'))).length - specsOf(repo).length;
    };
    expect(HUB_MODELS.map((m) => extra(m.repo))).toEqual([2, 2, 2, 48, 2, 2, 2, 2]);

    // Chinese-CLIP: the README's parameter counts (188M, 406M, 407M, 958M, rounded to millions), no BERT pooler.
    const millions = (repo: string): number => Math.round(count(specsOf(repo)) / 1e6);
    expect(millions('OFA-Sys/chinese-clip-vit-base-patch16')).toBe(188);
    expect(millions('OFA-Sys/chinese-clip-vit-large-patch14')).toBe(406);
    expect(millions('OFA-Sys/chinese-clip-vit-large-patch14-336px')).toBe(407);
    expect(millions('OFA-Sys/chinese-clip-vit-huge-patch14')).toBe(958);
    const zh = specsOf('OFA-Sys/chinese-clip-vit-base-patch16');
    expect(shapeOf(zh, 'text_model.embeddings.word_embeddings.weight')).toEqual([21128, 768]);
    expect(shapeOf(zh, 'vision_model.embeddings.position_embedding.weight')).toEqual([197, 768]);
    expect(zh.some((s) => s.name.startsWith('text_model.pooler.'))).toBe(false);
  });

  it('tiny demo models: real vocabularies, under 5 MB in f16', () => {
    for (const tiny of TINY_MODELS) {
      const dir = path.join(HUB, tiny.like.repo);
      const generation = existsSync(path.join(dir, 'generation_config.json')) ? readJson(path.join(dir, 'generation_config.json')) : undefined;
      const { config } = tiny.shrink({
        config: readJson(path.join(dir, 'config.json')),
        preprocessor: readJson(path.join(dir, 'preprocessor_config.json')),
        ...(generation && { generation }),
      });
      const specs = stateDictFor(config);
      const bytes = specs.reduce((n, s) => n + numel(s.shape) * { arange: 8, 'causal-mask': 1, normal: 2, constant: 2 }[s.init.kind], 0);
      expect(bytes, tiny.name).toBeLessThan(5e6);
      // The real vocabulary stays: the text embedding has every vocab_size the config names (at any depth).
      const vocab = vocabSizes(config);
      expect(vocab.length, tiny.name).toBeGreaterThan(0);
      for (const v of vocab) expect(specs.some((s) => s.shape[0] === v), `${tiny.name} has a ${v}-row embedding`).toBe(true);
    }
  });
});

// ---- the writer -------------------------------------------------------------------------------------------

describe('safetensors writer', () => {
  it('writes a file a reader parses back: the safetensors library\'s order (dtype descending, then name), padded aligned header, exact bytes', async () => {
    const f32 = Float32Array.from({ length: 10 }, (_, i) => i * 0.5 - 1);
    const f16 = Uint16Array.from([0x3c00, 0xc000, 0x7bff]);
    const i64 = BigInt64Array.from([0n, 1n, -2n, 2n ** 40n]);
    const u8 = Uint8Array.from([1, 2, 3]);
    function* chunked(): Generator<Float32Array> {
      yield f32.subarray(0, 3);
      yield f32.subarray(3, 4);
      yield f32.subarray(4);
    }
    const file = await writeToMemory([
      { name: 'z.last', dtype: 'F32', shape: [2, 5], data: chunked() },
      { name: 'a.half', dtype: 'F16', shape: [3], data: f16 },
      { name: 'm.ids', dtype: 'I64', shape: [1, 4], data: i64 },
      { name: 'b.bytes', dtype: 'U8', shape: [3], data: u8 },
      { name: 'scalar', dtype: 'F32', shape: [], data: Float32Array.of(4.5) },
      { name: 'empty', dtype: 'F32', shape: [0, 7], data: new Float32Array(0) },
    ]);
    const n = Number(new DataView(file.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const parsed = readSafetensors(file);
    expect(parsed.headerText).toMatch(/^\{"__metadata__":\{"format":"pt"\},/);
    expect(parsed.headerText.trimEnd().endsWith('}')).toBe(true);
    expect(parsed.headerText.length - parsed.headerText.trimEnd().length).toBeLessThan(8);
    expect(parsed.metadata).toEqual({ format: 'pt' });
    expect(parsed.names).toEqual(['m.ids', 'empty', 'scalar', 'z.last', 'a.half', 'b.bytes']); // I64, F32 ×3, F16, U8
    const t = parsed.tensors;
    expect(t.get('z.last')).toMatchObject({ dtype: 'F32', shape: [2, 5] });
    expect(f32Of(t.get('z.last')!.bytes)).toEqual(f32);
    expect(u16Of(t.get('a.half')!.bytes)).toEqual(f16);
    expect(i64Of(t.get('m.ids')!.bytes)).toEqual(i64);
    expect(t.get('b.bytes')!.bytes).toEqual(u8);
    expect(t.get('scalar')).toMatchObject({ dtype: 'F32', shape: [] });
    expect(f32Of(t.get('scalar')!.bytes)).toEqual(Float32Array.of(4.5));
    expect(t.get('empty')!.bytes.length).toBe(0);
  });

  it('refuses data of the wrong size, duplicate names and bad shapes', async () => {
    const attempt = async (tensors: Array<TensorHeader & { data: TensorData }>, what: RegExp): Promise<void> => {
      const error = await writeToMemory(tensors).then(() => null, (e: unknown) => e);
      expect(isIrisError(error, 'bad-input'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(what);
    };
    const dtype: SafetensorsDtype = 'F32';
    await attempt([{ name: 'short', dtype, shape: [4], data: new Float32Array(3) }], /needs 16 bytes, its data has 12/);
    await attempt([{ name: 'long', dtype, shape: [2], data: [new Float32Array(2), new Float32Array(1)] }], /has more/);
    await attempt([{ name: 'x', dtype, shape: [1], data: new Float32Array(1) }, { name: 'x', dtype, shape: [1], data: new Float32Array(1) }], /duplicate/);
    await attempt([{ name: 'neg', dtype, shape: [-1], data: new Float32Array(0) }], /bad shape/);
  });

  it('encodeSafetensorsHeader pads any JSON with spaces (for building malformed test files)', () => {
    const header = encodeSafetensorsHeader({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 999] } });
    const n = Number(new DataView(header.buffer).getBigUint64(0, true));
    expect(header.length).toBe(8 + n);
    expect(n % 8).toBe(0);
    expect(JSON.parse(new TextDecoder().decode(header.subarray(8)))).toEqual({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 999] } });
  });
});

// ---- values -----------------------------------------------------------------------------------------------

describe('generated values', () => {
  const clipConfig = readJson(path.join(GOLDEN, 'clip/config.json'));
  const specs = stateDictFor(clipConfig);
  const fileOf = async (dtype: FloatDtype, seed: number): Promise<Uint8Array> => writeToMemory(specs.map((s) => tensorFor(s, dtype, seed)));

  it('f16 file = f32ToF16Bits of the f32 file, tensor by tensor, for the same seed', async () => {
    const a = readSafetensors(await fileOf('f32', 7)).tensors;
    const b = readSafetensors(await fileOf('f16', 7)).tensors;
    expect([...b.keys()]).toEqual([...a.keys()]);
    let compared = 0;
    for (const [name, t32] of a) {
      const t16 = b.get(name)!;
      expect(t16.shape).toEqual(t32.shape);
      if (t32.dtype === 'I64') {
        expect(t16.dtype).toBe('I64');
        expect(t16.bytes).toEqual(t32.bytes);
        continue;
      }
      expect([t32.dtype, t16.dtype]).toEqual(['F32', 'F16']);
      const values = f32Of(t32.bytes);
      const halves = u16Of(t16.bytes);
      for (let i = 0; i < values.length; i++) {
        if (halves[i] !== f32ToF16Bits(values[i]!)) expect.fail(`${name}[${i}]: ${halves[i]} != f32ToF16Bits(${values[i]})`);
      }
      compared += values.length;
    }
    expect(compared).toBeGreaterThan(100_000);
  });

  it('is seeded: same seed → same bytes, another seed → other values; chunking does not matter', async () => {
    const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
    const first = await fileOf('f16', 1);
    expect(same(await fileOf('f16', 1), first)).toBe(true);
    const other = await fileOf('f16', 2);
    expect(other.length).toBe(first.length);
    expect(same(other, first)).toBe(false);
    const spec = specs.find((s) => s.name === 'text_model.embeddings.token_embedding.weight')!;
    const whole = floatValues(spec, 3);
    const pieces: number[] = [];
    for (const chunk of floatChunks(spec, 3, 7)) pieces.push(...chunk); // odd chunks split Box–Muller pairs
    expect(Float32Array.from(pieces)).toEqual(whole);
  });

  it('writes the integer buffers: arange position_ids, tril causal masks; masked_bias follows the dtype', async () => {
    const config = readJson(path.join(GOLDEN, 'vit-gpt2/config.json')) as { decoder: { n_positions: number } };
    const n = config.decoder.n_positions;
    const buffers = stateDictFor(config).filter((s) => s.name.includes('.h.0.attn.'));
    for (const dtype of ['f32', 'f16'] as const) {
      const t = readSafetensors(await writeToMemory(buffers.map((s) => tensorFor(s, dtype, 0)))).tensors;
      const mask = t.get('decoder.transformer.h.0.attn.bias')!;
      expect(mask).toMatchObject({ dtype: 'U8', shape: [1, 1, n, n] });
      for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (mask.bytes[r * n + c] !== (c <= r ? 1 : 0)) expect.fail(`mask[${r}][${c}]`);
      const masked = t.get('decoder.transformer.h.0.attn.masked_bias')!;
      expect(masked.shape).toEqual([]);
      if (dtype === 'f32') expect(f32Of(masked.bytes)[0]).toBe(-1e4);
      else expect(u16Of(masked.bytes)[0]).toBe(f32ToF16Bits(-1e4));
    }
  });

  it('has the intended statistics: weights N(0, 0.02), LayerNorm ≈ 1, logit_scale = ln 100, arange ids', async () => {
    const t = readSafetensors(await fileOf('f32', 0)).tensors;
    const stats = (name: string): { mean: number; std: number } => {
      const v = f32Of(t.get(name)!.bytes);
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      return { mean, std: Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length) };
    };
    const emb = stats('text_model.embeddings.token_embedding.weight'); // vocabulary × width values
    expect(Math.abs(emb.mean)).toBeLessThan(0.001);
    expect(emb.std).toBeGreaterThan(0.0195);
    expect(emb.std).toBeLessThan(0.0205);
    const ln = stats('vision_model.encoder.layers.0.layer_norm1.weight');
    expect(Math.abs(ln.mean - 1)).toBeLessThan(0.05);
    expect(ln.std).toBeGreaterThan(0.05);
    expect(f32Of(t.get('logit_scale')!.bytes)[0]).toBeCloseTo(Math.log(100), 6);
    const positionIds = t.get('vision_model.embeddings.position_ids')!;
    expect(Array.from(i64Of(positionIds.bytes), Number)).toEqual(Array.from({ length: positionIds.shape.at(-1)! }, (_, i) => i));
    // Every other value is small and finite: nothing near f16's range.
    for (const [name, tensor] of t) {
      if (tensor.dtype !== 'F32' || name === 'logit_scale') continue;
      for (const x of f32Of(tensor.bytes)) if (!(Math.abs(x) < 2)) expect.fail(`${name} has ${x}`);
    }
    expect(f16BitsToF32(f32ToF16Bits(Math.log(100)))).toBeCloseTo(4.6055, 3);
  });
});
