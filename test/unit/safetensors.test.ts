// safetensors parsing against every golden file's manifest, each malformed case, and the dtype conversions.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isIrisError } from '../../src/errors';
import { f16ArrayToF32, f16BitsToF32 } from '../../src/gpu/half';
import { toFloat16Bits, toFloat32, toInt32, type HostTensor } from '../../src/weights/host-tensor';
import { parseSafetensors, readHeaderLength } from '../../src/weights/safetensors';
import { FAMILIES } from '../../src/families';
import { GOLDEN_DIR, goldenJson, goldenTensors, i64AsI32 } from '../helpers/golden';
import { malformedCases, validFile } from '../helpers/safetensors-cases';

interface ManifestFile {
  path: string;
  bytes: number;
  tensors?: Record<string, { dtype: string; shape: number[] }>;
}

const models = readdirSync(GOLDEN_DIR).filter((d) => existsSync(join(GOLDEN_DIR, d, 'manifest.json')));
const goldenFiles = models.flatMap((model) => {
  const manifest = JSON.parse(readFileSync(join(GOLDEN_DIR, model, 'manifest.json'), 'utf8')) as { files?: ManifestFile[] };
  return (manifest.files ?? []).filter((f) => f.tensors).map((f) => ({ model, ...f, tensors: f.tensors! }));
});

function load(model: string, file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(GOLDEN_DIR, model, file)));
}

describe('golden safetensors files', () => {
  it("are all covered (model, inputs, outputs of every family's golden folder, and attentions where its manifest has them)", () => {
    const families = FAMILIES.map((f) => f.name);
    expect(models.sort()).toEqual(expect.arrayContaining(families));
    // The second golden set (BLIP, VQA, Chinese-CLIP) has no attentions.safetensors; its manifests list none.
    const listed = (m: string, file: string) => (goldenJson<{ files: ManifestFile[] }>(m, 'manifest.json').files ?? []).some((f) => f.path === file);
    expect(goldenFiles.map((f) => `${f.model}/${f.path}`)).toEqual(
      expect.arrayContaining(families.flatMap((m) => ['model', 'inputs', 'outputs', 'attentions'].filter((f) => f !== 'attentions' || listed(m, 'attentions.safetensors')).map((f) => `${m}/${f}.safetensors`))),
    );
    expect(families.filter((m) => listed(m, 'attentions.safetensors')).length).toBeGreaterThan(0);
  });

  it.each(goldenFiles.map((f) => [`${f.model}/${f.path}`, f] as const))('%s has exactly the tensors, dtypes and shapes of its manifest', (_, f) => {
    const bytes = load(f.model, f.path);
    expect(bytes.byteLength).toBe(f.bytes);
    const { tensors } = parseSafetensors(bytes, f.path);
    const parsed = Object.fromEntries([...tensors].map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape }]));
    const expected = Object.fromEntries(Object.entries(f.tensors).map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape }]));
    expect(parsed).toEqual(expected);
  });

  it('model.safetensors keeps its __metadata__; 0-d logit_scale; I64 token ids read exactly', () => {
    const clip = parseSafetensors(load('clip', 'model.safetensors'), 'model.safetensors');
    expect(clip.header.metadata).toEqual({ format: 'pt' });
    const logitScale = clip.tensors.get('logit_scale')!;
    expect(logitScale.shape).toEqual([]);
    // Initialised to the config's logit_scale_init_value (the golden models are not trained).
    expect(toFloat32(logitScale)[0]).toBe(Math.fround(goldenJson<{ logit_scale_init_value: number }>('clip', 'config.json').logit_scale_init_value));
    const generated = parseSafetensors(load('git', 'outputs.safetensors'), 'outputs.safetensors').tensors.get('generated_ids')!;
    // As the test-only reader (helpers/safetensors-node.ts, written separately) reads them.
    expect([...toInt32(generated)]).toEqual([...i64AsI32(goldenTensors('git', 'outputs'), 'generated_ids')]);
  });

  it('preprocess.safetensors (12 MB, no tensor list in its manifest) parses', () => {
    const { tensors } = parseSafetensors(load('preprocess', 'preprocess.safetensors'), 'preprocess.safetensors');
    expect(tensors.size).toBeGreaterThan(0);
  });
});

describe('malformed files', () => {
  it('the valid base file parses', () => {
    const { tensors, header } = parseSafetensors(validFile(), 'ok.safetensors');
    expect([...tensors.keys()]).toEqual(['a.weight', 'b.half', 'c.bf16', 'position_ids']);
    expect(header.metadata).toEqual({ format: 'pt' });
  });

  it.each(malformedCases().map((c) => [c.name, c] as const))('%s → safetensors-invalid naming the file and the reason', (_, c) => {
    let error: unknown;
    try {
      parseSafetensors(c.bytes, 'model.safetensors');
    } catch (e) {
      error = e;
    }
    expect(isIrisError(error, 'safetensors-invalid'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/^model\.safetensors is not a valid safetensors file: /);
    expect((error as Error).message).toMatch(c.reason);
  });

  it('a file shorter than 8 bytes, a non-object header, bad __metadata__, trailing bytes', () => {
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(5), /too short for the 8-byte header length/],
      [withHeader('[1, 2]'), /not a JSON object/],
      [withHeader('{"__metadata__": {"format": 1}}'), /__metadata__ must map strings to strings/],
      [withHeader('{"x": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}}', 3), /1 unused bytes after the last tensor/],
      [withHeader('{"x": {"dtype": "U8", "shape": [-2], "data_offsets": [0, 2]}}', 2), /invalid shape/],
    ];
    for (const [bytes, reason] of cases) expect(() => parseSafetensors(bytes, 'm.safetensors')).toThrow(reason);
  });

  it('an absurd header length is rejected before anything is allocated for it', () => {
    const first8 = new Uint8Array(8);
    new DataView(first8.buffer).setBigUint64(0, 2n ** 63n, true);
    expect(() => readHeaderLength(first8, 2 ** 50, 'big.safetensors')).toThrow(/absurd/);
  });
});

describe('dtype conversions', () => {
  const tensor = (dtype: HostTensor['dtype'], data: ArrayBufferView, shape = [data.byteLength]): HostTensor => ({
    name: 't', dtype, shape, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });

  it('F16 → f32 exactly, including subnormals, ±Inf and NaN', () => {
    const bits = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8400, 0x7c00, 0xfc00, 0x7e00, 0x0000, 0x8000]);
    const out = toFloat32(tensor('F16', bits));
    expect([...out.slice(0, 8)]).toEqual([1, -2, 0.5, 65504, 2 ** -24, -(2 ** -14), Infinity, -Infinity]);
    expect(out[8]).toBeNaN();
    expect(Object.is(out[9], 0)).toBe(true);
    expect(Object.is(out[10], -0)).toBe(true);
  });

  it('BF16 → f32 is the top half of the f32 bits', () => {
    const bits = new Uint16Array([0x3f80, 0xc040, 0x4049, 0x7f80, 0x0001]);
    const out = toFloat32(tensor('BF16', bits));
    expect([...out.slice(0, 4)]).toEqual([1, -3, 3.140625, Infinity]);
    expect(out[4]).toBe(new Float32Array(new Uint32Array([0x00010000]).buffer)[0]);
  });

  it('F32 → f16 bits round to nearest even; F16 passes through; BF16 → f16 via f32', () => {
    // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties to even → 1. 1 + 3·2^-11 → 1 + 2^-9.
    const f32 = new Float32Array([1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 65520, -0.1]);
    const bits = toFloat16Bits(tensor('F32', f32));
    expect([...bits.slice(0, 4)]).toEqual([0x3c00, 0x3c00, 0x3c02, 0x7c00]);
    expect(f16BitsToF32(bits[4]!)).toBeCloseTo(-0.1, 3);
    const half = new Uint16Array([0x1234, 0xabcd]);
    expect([...toFloat16Bits(tensor('F16', half))]).toEqual([0x1234, 0xabcd]);
    expect([...toFloat16Bits(tensor('BF16', new Uint16Array([0x3f80, 0xc040])))]).toEqual([0x3c00, 0xc200]);
  });

  it('F64 narrows; unaligned data (odd offset in the file) is copied, not misread', () => {
    expect([...toFloat32(tensor('F64', new Float64Array([0.5, -1.25])))]).toEqual([0.5, -1.25]);
    const raw = new Uint8Array(1 + 8);
    raw.set(new Uint8Array(new Float32Array([3.5, -7]).buffer), 1);
    expect([...toFloat32({ name: 'u', dtype: 'F32', shape: [2], bytes: raw.subarray(1) })]).toEqual([3.5, -7]);
  });

  it('integers → int32, refusing values that do not fit', () => {
    expect([...toInt32(tensor('I64', new BigInt64Array([0n, -5n, 2147483647n])))]).toEqual([0, -5, 2147483647]);
    expect([...toInt32(tensor('U8', new Uint8Array([0, 255])))]).toEqual([0, 255]);
    expect(() => toInt32(tensor('I64', new BigInt64Array([2n ** 40n])))).toThrow(/does not fit in int32/);
    expect(() => toFloat32(tensor('I32', new Int32Array([1])))).toThrow(/not a float tensor/);
  });
});

function withHeader(json: string, dataBytes = 0): Uint8Array {
  const text = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + text.byteLength + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.byteLength), true);
  out.set(text, 8);
  return out;
}

describe('f16ArrayToF32 (lookup table)', () => {
  it('widens every one of the 65536 halves exactly as f16BitsToF32 decodes it', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, b) => b);
    const wide = f16ArrayToF32(all);
    for (let b = 0; b < 65536; b++) if (!Object.is(wide[b], Math.fround(f16BitsToF32(b)))) throw new Error(`half ${b}: ${wide[b]} vs ${f16BitsToF32(b)}`);
  });
});
