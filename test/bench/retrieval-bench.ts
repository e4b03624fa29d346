/**
 * Retrieval benchmarks, for `npm run bench` (scripts/bench.mjs can call `runRetrievalBench(gpu, options)`
 * in Node + Dawn or in the Chromium page, like runKernelBench):
 *
 *   query   one search — upload of the query, scores of every stored vector, top-K, readback of K results —
 *           against N synthetic unit vectors (dim 512) kept on the GPU, in f16 (where the device has it) and
 *           f32; the one-time upload is timed separately. Wall time per search, median of `reps`.
 *   index   images/s through ImageIndex.add — decode, preprocess, ViT-B/32 forward in batches, storage
 *           commits (in memory here) — with a full-size CLIP ViT-B/32 of random weights built in memory
 *           from the real config (scripts/models), so nothing is downloaded.
 */
import type { AdapterDescription } from '../../src/gpu/device';
import type { Gpu } from '../../src/gpu/gpu';
import { f32ArrayToF16 } from '../../src/gpu/half';
import { parsePreprocessorConfig, preprocess } from '../../src/image/preprocess';
import { ClipModel } from '../../src/families/clip/model';
import { l2Normalize } from '../../src/nn/similarity';
import { parametersFrom } from '../../src/nn/params';
import { GpuMatrix, ImageIndex, memoryVectorStore, type Embedder } from '../../src/retrieval';
import { writeSafetensors, type ByteSink } from '../../src/weights/safetensors-writer';
import { WeightSet } from '../../src/weights/weight-set';
import { stateDictFor } from '../../scripts/models/index';
import { tensorFor } from '../../scripts/models/values';
import clipConfig from '../../scripts/models/hub/openai/clip-vit-base-patch32/config.json';
import clipPreprocessor from '../../scripts/models/hub/openai/clip-vit-base-patch32/preprocessor_config.json';
import { randomArray } from '../helpers/reference';
import { isCpuAdapter } from './kernel-bench';
import { median } from './stats';

export interface RetrievalBenchOptions {
  runtime: string;
  /** Stored vectors per query case (default 1,000, 10,000, 100,000). */
  sizes?: number[];
  dim?: number;
  topK?: number;
  /** Timed searches per case (default 20, or 7 on a CPU adapter). */
  reps?: number;
  /** Images to index with ViT-B/32 (default 64, or 16 on a CPU adapter; 0 skips). */
  indexImages?: number;
  batchSize?: number;
  log?: (line: string) => void;
}

export interface QueryRow {
  vectors: number;
  dim: number;
  /** Element type of the matrix on the GPU. */
  dtype: 'f16' | 'f32';
  topK: number;
  /** Host → GPU upload of all vectors, once per index version (ms). */
  uploadMs: number;
  medianMs: number;
  minMs: number;
  reps: number;
}

export interface IndexingRow {
  model: string;
  weights: 'f16' | 'f32';
  images: number;
  imageSize: string;
  batchSize: number;
  imagesPerSecond: number;
  /** First forward pass (pipeline compilation), not counted above. */
  warmUpMs: number;
}

export interface RetrievalBenchReport {
  runtime: string;
  adapter: AdapterDescription;
  f16: boolean;
  date: string;
  notes: string[];
  query: QueryRow[];
  indexing: IndexingRow | null;
}

export async function runRetrievalBench(gpu: Gpu, options: RetrievalBenchOptions): Promise<RetrievalBenchReport> {
  const cpu = isCpuAdapter(gpu.adapter);
  const log = options.log ?? (() => {});
  const dim = options.dim ?? 512;
  const topK = options.topK ?? 20;
  const reps = Math.max(3, options.reps ?? (cpu ? 7 : 20));
  const notes = [`query: median wall time of ${reps} searches after 2 warm-ups (query upload, scores, top-${topK}, readback)`];
  if (cpu) notes.push('CPU adapter: WebGPU runs on the CPU here, so these numbers say nothing about GPUs');

  const query: QueryRow[] = [];
  for (const vectors of options.sizes ?? [1_000, 10_000, 100_000]) {
    const data = unitRows(vectors, dim, vectors);
    const halves = gpu.features.f16 ? f32ArrayToF16(data) : null;
    for (const dtype of gpu.features.f16 ? (['f16', 'f32'] as const) : (['f32'] as const)) {
      const matrix = new GpuMatrix(gpu, dim, dtype);
      try {
        let start = performance.now();
        if (dtype === 'f16') matrix.sync(halves!, 'f16', vectors, 'all');
        else matrix.sync(data, 'f32', vectors, 'all');
        await gpu.device.queue.onSubmittedWorkDone();
        const uploadMs = performance.now() - start;
        const q = unitRows(1, dim, 7);
        for (let i = 0; i < 2; i++) await matrix.search(q, 1, topK);
        const times: number[] = [];
        for (let r = 0; r < reps; r++) {
          start = performance.now();
          await matrix.search(q, 1, topK);
          times.push(performance.now() - start);
        }
        times.sort((a, b) => a - b);
        const row = { vectors, dim, dtype, topK, uploadMs, medianMs: median(times), minMs: times[0]!, reps };
        query.push(row);
        log(`query ${vectors} × ${dim} ${dtype}: ${row.medianMs.toFixed(2)} ms (upload ${uploadMs.toFixed(0)} ms)`);
      } finally {
        matrix.destroy();
      }
    }
  }

  const images = options.indexImages ?? (cpu ? 16 : 64);
  const indexing = images > 0 ? await indexingBench(gpu, images, options.batchSize ?? 16, log) : null;
  return { runtime: options.runtime, adapter: gpu.adapter, f16: gpu.features.f16, date: new Date().toISOString(), notes, query, indexing };
}

/** n random unit vectors [n, dim]. */
function unitRows(n: number, dim: number, seed: number): Float32Array {
  return l2Normalize(randomArray(n * dim, seed), dim);
}

class MemorySink implements ByteSink {
  private readonly parts: Uint8Array[] = [];
  private length = 0;
  write(bytes: Uint8Array): void {
    this.parts.push(bytes.slice()); // the writer reuses its chunk buffers
    this.length += bytes.length;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    this.parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);
    return out;
  }
}

/** openai/clip-vit-base-patch32 with seeded random weights (f16 where the device has shader-f16). */
async function randomViTB32(gpu: Gpu): Promise<{ model: ClipModel; weights: 'f16' | 'f32' }> {
  const weights = gpu.features.f16 ? 'f16' : 'f32';
  const sink = new MemorySink();
  await writeSafetensors(sink, stateDictFor(clipConfig).map((spec) => tensorFor(spec, weights, 0)));
  const set = WeightSet.fromFiles([{ file: 'model.safetensors', bytes: sink.bytes() }], 'openai/clip-vit-base-patch32 (random weights)');
  return { model: ClipModel.load(parametersFrom(set, gpu), clipConfig as Record<string, unknown>), weights };
}

async function indexingBench(gpu: Gpu, images: number, batchSize: number, log: (line: string) => void): Promise<IndexingRow> {
  const { model, weights } = await randomViTB32(gpu);
  const config = parsePreprocessorConfig(clipPreprocessor, 'CLIPImageProcessor');
  const dim = model.config.projectionDim;
  const embedder: Embedder = {
    dim,
    preprocess: (image) => preprocess(image, config),
    embedPixels: async (pixels, count) => l2Normalize((await model.encodeImages(pixels, count)).embeds, dim),
    embedTexts: () => Promise.reject(new Error('not needed')),
  };
  const [width, height] = [320, 240];
  const photo = (seed: number) => ({ width, height, data: Uint8Array.from(randomArray(width * height * 4, seed + 1), (v) => Math.floor((v + 1) * 127.5)) });
  let start = performance.now();
  await embedder.embedPixels(embedder.preprocess(photo(0)), 1);
  const warmUpMs = performance.now() - start;
  const index = await ImageIndex.open(memoryVectorStore(), 'bench', { defaultModel: 'openai/clip-vit-base-patch32' });
  const items = Array.from({ length: images }, (_, i) => ({ key: `photo-${i}.png`, image: photo(i + 1) }));
  start = performance.now();
  const result = await index.add(items, { embedder: async () => embedder }, { batchSize });
  const row: IndexingRow = {
    model: 'openai/clip-vit-base-patch32 (random weights)', weights, images, imageSize: `${width}×${height}`, batchSize,
    imagesPerSecond: result.added / ((performance.now() - start) / 1000), warmUpMs,
  };
  log(`indexing ${images} images (${row.imageSize}, batches of ${batchSize}, ${weights} weights): ${row.imagesPerSecond.toFixed(2)} images/s`);
  return row;
}

/** The report as plain text. */
export function formatRetrievalReport(report: RetrievalBenchReport): string {
  const a = report.adapter;
  const header = ['stored vectors', 'dim', 'GPU type', 'top-K', 'median ms', 'min ms', 'upload ms'];
  const body = report.query.map((r) => [
    r.vectors.toLocaleString('en-US'), String(r.dim), r.dtype, String(r.topK), r.medianMs.toFixed(2), r.minMs.toFixed(2), r.uploadMs.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i]!)).join('  ');
  const x = report.indexing;
  return [
    `Iris retrieval benchmark — ${report.runtime}`,
    `adapter: ${a.description} (vendor ${a.vendor || '?'}, architecture ${a.architecture || '?'}); shader-f16: ${report.f16 ? 'yes' : 'no'}`,
    ...report.notes.map((n) => `note: ${n}`),
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    '',
    x
      ? `indexing: ${x.imagesPerSecond.toFixed(2)} images/s — ${x.model}, ${x.weights} weights, ${x.images} images of ${x.imageSize}, batches of ${x.batchSize} (first forward pass ${x.warmUpMs.toFixed(0)} ms, not counted)`
      : 'indexing: skipped',
  ].join('\n');
}
