/**
 * End-to-end benchmarks at the real model sizes, shared by the Chromium page (test/browser/pages/bench.ts)
 * and Node + Dawn (test/bench/node-bench.ts). The checkpoints are the full-size random-weight stand-ins of
 * scripts/make-models.ts (real names, shapes, configs and tokenizer files), served by a local server in the
 * Hub URL layout and loaded through the normal path: Hub → cache store → loadCheckpoint (parse, upload, compile).
 *
 * Per model, on a fresh device:
 *   1. download once into the store (IndexedDB in Chromium; Node has none, so an in-memory store that
 *      structured-clones like IndexedDB does);
 *   2. "first result": a second Hub over the same store reads the files back (no network), loadCheckpoint
 *      uploads and compiles, then the first request runs: classify 1 image × 10 labels, or caption 1 token;
 *   3. the steady-state figures: medians of timed runs after warm-up runs.
 * Every figure carries how it was measured; figures left out (quick mode) say so.
 */
import type { Gpu } from '../../src/gpu/gpu';
import type { RgbaImage } from '../../src/image/rgba-image';
import { parsePreprocessorConfig, preprocess, preprocessBatch } from '../../src/image/preprocess';
import { Recorder } from '../../src/gpu/recorder';
import { loadClipTokenizer, type TextBatch, type TextBatchOptions } from '../../src/tokenizers';
import { loadChineseClipTokenizer } from '../../src/families/chinese-clip/tokenizer';
import type { Captioner } from '../../src/tasks/caption';
import type { QuestionAnswerer } from '../../src/tasks/vqa';
import type { ZeroShotClassifier } from '../../src/tasks/zero-shot';
import { Hub, type KeyValueStore } from '../../src/weights';
import { loadCheckpoint, type LoadPhase } from '../../src/worker/load';
import { MODELS, type ModelEntry } from '../../src/worker/registry';
import { familyFor } from '../../src/families';
import type { Json } from '../../src/nn/config';
import type { AdapterDescription } from '../../src/gpu/device';
import { describeAdapter, isCpuAdapter } from './kernel-bench';
import { median } from './stats';

/** The Hub checkpoints the benchmark knows (the registry's full-size models). */
export const BENCH_MODELS = ['openai/clip-vit-base-patch32', 'openai/clip-vit-base-patch16', 'OFA-Sys/chinese-clip-vit-base-patch16', 'microsoft/git-base-coco', 'nlpconnect/vit-gpt2-image-captioning'] as const;
/** Quick mode (CPU adapters): ViT-B/16 CLIP adds little beside ViT-B/32 and the two captioners' B/16 encoders. */
export const QUICK_MODELS = ['openai/clip-vit-base-patch32', 'microsoft/git-base-coco', 'nlpconnect/vit-gpt2-image-captioning'];

export interface ModelBenchOptions {
  /** Where it runs ("headless Chromium", "node + Dawn"). */
  runtime: string;
  /** The local server in the Hub URL layout (test/helpers/hub-server.ts over weights/generated/<repo>/<dtype>). */
  hubUrl: string;
  store: KeyValueStore;
  /** What the store is, for the report. */
  storeName: string;
  /** A fresh device per model (so each model's compile and memory figures start from nothing). */
  createGpu: () => Promise<Gpu>;
  /** Which generated checkpoint dtype the server serves: f32 (as the Hub's) or f16. */
  dtype: 'f32' | 'f16';
  models?: string[];
  /** Default: on for CPU adapters (SwiftShader, lavapipe), off otherwise. */
  quick?: boolean;
  /**
   * Timed runs per figure (default 10 full; quick: 1 for the GPU-heavy figures, 3 for the CPU ones) and
   * warm-up runs before them (default 2 full; quick: none, the first-result run has compiled and warmed
   * every pipeline).
   */
  reps?: number;
  warmups?: number;
  /** New tokens per caption (default 20 full, 8 quick). */
  tokens?: number;
  log?: (line: string) => void;
}

export interface Figure {
  name: string;
  /** Median of the timed runs, ms (absent when skipped). */
  ms?: number;
  minMs?: number;
  runs: number;
  warmups: number;
  /** How it was measured (or why it was skipped). */
  how: string;
  skipped?: boolean;
}

export interface ModelResult {
  repo: string;
  checkpointDtype: 'f32' | 'f16';
  /** dtype of the matmul weights on the GPU (f16 needs shader-f16 and an f16 checkpoint). */
  weightsOnGpu: 'f32' | 'f16';
  /** First result after "weights in the store": each phase, ms. */
  firstResult: { cacheReadMs: number; uploadMs: number; compileMs: number; firstRequestMs: number; totalMs: number; pipelines: number; how: string };
  downloadMs: number;
  figures: Figure[];
  /** gpu.bytesAllocated: after the weights were uploaded, and at the end (weights + the activation pool). */
  memory: { afterUploadBytes: number; endBytes: number };
}

export interface ModelReport {
  runtime: string;
  adapter: AdapterDescription;
  f16: boolean;
  cpuAdapter: boolean;
  quick: boolean;
  store: string;
  date: string;
  notes: string[];
  models: ModelResult[];
  /** Models that could not run on this adapter (e.g. a weight larger than maxStorageBufferBindingSize). */
  failed: Array<{ repo: string; error: string }>;
}

/** A deterministic 640×480 RGBA test image (the usual camera size: preprocessing resizes and crops it). */
export function testImage(width = 640, height = 480): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = ((x ^ y) * 7) & 255;
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

/** 1,000 distinct English words from CLIP's vocabulary (every n-th plain word), as stand-in class labels. */
export function benchLabels(vocabJson: string, count = 1000): string[] {
  const words = Object.keys(JSON.parse(vocabJson) as Record<string, number>)
    .filter((t) => /^[a-z]{4,}<\/w>$/.test(t))
    .map((t) => t.slice(0, -4))
    .sort();
  const step = Math.max(1, Math.floor(words.length / count));
  return Array.from({ length: count }, (_, i) => words[(i * step) % words.length]!);
}

/** `count` labels spread over a WordPiece vocab.txt's single-character Chinese words (Chinese-CLIP's). */
export function chineseBenchLabels(vocabTxt: string, count = 1000): string[] {
  const words = vocabTxt.split('\n').filter((t) => /^\p{Script=Han}$/u.test(t));
  const step = Math.max(1, Math.floor(words.length / count));
  return Array.from({ length: count }, (_, i) => words[(i * step) % words.length]!);
}

interface BenchTokenizer {
  encodeBatch(texts: readonly string[], options?: TextBatchOptions): TextBatch;
}

export async function runModelBench(options: ModelBenchOptions): Promise<ModelReport> {
  const log = options.log ?? (() => {});
  const probe = await options.createGpu();
  const adapter = probe.adapter;
  const f16 = probe.features.f16;
  probe.destroy();
  const cpu = isCpuAdapter(adapter);
  const quick = options.quick ?? cpu;
  const reps = options.reps ?? (quick ? 1 : 10);
  const warmups = options.warmups ?? (quick ? 0 : 2);
  const tokens = options.tokens ?? (quick ? 8 : 20);
  const models = options.models ?? (quick ? QUICK_MODELS : [...BENCH_MODELS]);
  const notes = [
    `adapter: ${describeAdapter(adapter)}`,
    quick
      ? `quick protocol: ${reps} timed run${reps > 1 ? 's' : ''} per GPU figure after ${warmups} warm-up runs (the first-result run compiled and warmed every pipeline), 3 for CPU figures; ${tokens} new tokens per caption; no batch 8, no 1,000-label embedding`
      : `full protocol: median of ${reps} timed runs after ${warmups} warm-up runs unless a figure says otherwise; ${tokens} new tokens per caption`,
    `checkpoints: full-size random weights (scripts/make-models.ts), ${options.dtype}, served over HTTP in the Hub URL layout and cached in ${options.storeName}`,
  ];
  if (cpu) notes.push('CPU adapter: WebGPU runs on the CPU here, so these figures say nothing about GPUs');

  const results: ModelResult[] = [];
  const failed: ModelReport['failed'] = [];
  for (const repo of models) {
    const known = MODELS.find((m) => m.repo === repo);
    if (!known) throw new Error(`model-bench: unknown model ${repo} (known: ${BENCH_MODELS.join(', ')})`);
    // The stand-ins have the real names and shapes, not the real bytes: the catalogue's pins do not apply to them.
    const entry: ModelEntry = { ...known, files: undefined };
    log(`${repo} (${options.dtype}): start`);
    try {
      results.push(await benchModel(entry, options, { quick, reps, warmups, tokens, log }));
    } catch (error) {
      // One model that cannot run here (a CPU adapter's 128 MiB binding limit, say) does not stop the others.
      const message = error instanceof Error ? error.message : String(error);
      log(`${repo}: FAILED: ${message}`);
      failed.push({ repo, error: message });
    }
  }
  return { runtime: options.runtime, adapter, f16, cpuAdapter: cpu, quick, store: options.storeName, date: new Date().toISOString(), notes, models: results, failed };
}

interface Protocol {
  quick: boolean;
  reps: number;
  warmups: number;
  tokens: number;
  log: (line: string) => void;
}

async function benchModel(entry: ModelEntry, options: ModelBenchOptions, p: Protocol): Promise<ModelResult> {
  // Nothing of an earlier run may linger in the store: the download below must really download.
  await new Hub({ baseUrl: options.hubUrl, store: options.store }).deleteCached(entry.repo);

  // As loadCheckpoint does: config.json first, then the files its family needs.
  let start = performance.now();
  const downloader = new Hub({ baseUrl: options.hubUrl, store: options.store });
  const config = (await downloader.load({ repo: entry.repo, revision: entry.revision, files: ['config.json'] })).json('config.json') as Json;
  const { files, optionalFiles } = familyFor(config).files(config);
  const request = { repo: entry.repo, revision: entry.revision, files, optionalFiles };
  await downloader.load(request);
  const downloadMs = performance.now() - start;
  p.log(`${entry.repo}: downloaded into ${options.storeName} in ${downloadMs.toFixed(0)} ms`);

  const gpu = await options.createGpu();
  const figures: Figure[] = [];
  try {
    // First result: a second Hub over the same store (no network), then loadCheckpoint and the first request.
    const marks: Partial<Record<'upload' | 'compile' | 'compiled', number>> = {};
    let afterUploadBytes = 0;
    let pipelines = 0;
    const onPhase = (phase: LoadPhase) => {
      if (phase.phase === 'upload') marks.upload ??= performance.now();
      if (phase.phase === 'compile' && !phase.done) {
        marks.compile = performance.now();
        afterUploadBytes = gpu.bytesAllocated;
      }
      if (phase.phase === 'compile' && phase.done) {
        marks.compiled = performance.now();
        pipelines = phase.pipelines;
      }
    };
    const image = testImage();
    start = performance.now();
    const loaded = await loadCheckpoint(entry, new Hub({ baseUrl: options.hubUrl, store: options.store }), gpu, { onPhase });
    const loadedAt = performance.now();
    const { 'zero-shot': classifier, caption: captioner, vqa: answerer } = loaded.runners;
    let firstRequest: string;
    if (classifier) {
      await classifier.classify([image], Array.from({ length: 10 }, (_, i) => `label ${i}`));
      firstRequest = 'classify 1 image × 10 labels';
    } else {
      await captioner!.caption(image, { maxNewTokens: 1, numBeams: 1 });
      firstRequest = 'caption, 1 token';
    }
    const end = performance.now();
    const firstResult = {
      cacheReadMs: (marks.upload ?? loadedAt) - start,
      uploadMs: (marks.compile ?? loadedAt) - (marks.upload ?? start),
      compileMs: (marks.compiled ?? loadedAt) - (marks.compile ?? loadedAt),
      firstRequestMs: end - loadedAt,
      totalMs: end - start,
      pipelines,
      how: `one cold run: files read back from ${options.storeName} (with the sha256 check), parsed and uploaded, pipelines compiled by loadCheckpoint, then ${firstRequest}`,
    };
    p.log(`${entry.repo}: first result ${firstResult.totalMs.toFixed(0)} ms (read ${firstResult.cacheReadMs.toFixed(0)}, upload ${firstResult.uploadMs.toFixed(0)}, compile ${firstResult.compileMs.toFixed(0)} [${pipelines} pipelines], first request ${firstResult.firstRequestMs.toFixed(0)})`);

    // Small files again (from the store) for the tokenizer.
    const small = await new Hub({ baseUrl: options.hubUrl, store: options.store }).load({ ...request, files: files.filter((f) => !f.endsWith('.safetensors')) });
    const preprocessConfig = (classifier ?? captioner!).preprocessConfig;
    const measure = async (name: string, fn: () => Promise<unknown> | unknown, how: string, reps = p.reps, warmups = p.warmups): Promise<Figure> => {
      for (let i = 0; i < warmups; i++) await fn();
      const times: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t = performance.now();
        await fn();
        times.push(performance.now() - t);
      }
      const figure: Figure = { name, ms: median(times), minMs: Math.min(...times), runs: reps, warmups, how };
      p.log(`${entry.repo}: ${name}: ${figure.ms!.toFixed(1)} ms (median of ${reps}, min ${figure.minMs!.toFixed(1)})`);
      return figure;
    };
    const skip = (name: string, why: string): Figure => {
      p.log(`${entry.repo}: ${name}: skipped (${why})`);
      return { name, runs: 0, warmups: 0, how: why, skipped: true };
    };

    figures.push(await measure('preprocess 640×480 image', () => preprocess(image, preprocessConfig), 'CPU: resize + crop + normalise (in the worker in the app)', Math.max(3, p.reps), Math.max(1, p.warmups)));
    if (classifier) {
      // A CLIP checkpoint ships vocab.json + merges.txt; Chinese-CLIP a WordPiece vocab.txt (Chinese labels).
      const vocabTxt = small.text('vocab.txt');
      const labels = vocabTxt ? chineseBenchLabels(vocabTxt) : benchLabels(small.text('vocab.json')!);
      const tokenizer: BenchTokenizer = vocabTxt
        ? loadChineseClipTokenizer({ vocabTxt }, classifier.model.maxTextTokens)
        : loadClipTokenizer({ vocabJson: small.text('vocab.json')!, mergesTxt: small.text('merges.txt')! });
      figures.push(...(await clipFigures(classifier, image, preprocessConfig, labels, tokenizer, measure, skip, p)));
    } else {
      figures.push(...(await captionFigures(captioner!, gpu, image, preprocessConfig, measure, p)));
    }
    if (answerer) figures.push(...(await answerFigures(answerer, image, p)));
    const memory = { afterUploadBytes, endBytes: gpu.bytesAllocated };
    p.log(`${entry.repo}: GPU memory ${mib(memory.afterUploadBytes)} after upload, ${mib(memory.endBytes)} at the end`);
    return {
      repo: entry.repo,
      checkpointDtype: options.dtype,
      weightsOnGpu: options.dtype === 'f16' && gpu.features.f16 ? 'f16' : 'f32',
      firstResult,
      downloadMs,
      figures,
      memory,
    };
  } finally {
    gpu.destroy();
    await new Hub({ baseUrl: options.hubUrl, store: options.store }).deleteCached(entry.repo);
  }
}

type Measure = (name: string, fn: () => Promise<unknown> | unknown, how: string, reps?: number, warmups?: number) => Promise<Figure>;
type Skip = (name: string, why: string) => Figure;

async function clipFigures(
  classifier: ZeroShotClassifier, image: RgbaImage, preprocessConfig: ReturnType<typeof parsePreprocessorConfig>,
  labels: string[], tokenizer: BenchTokenizer, measure: Measure, skip: Skip, p: Protocol,
): Promise<Figure[]> {
  const model = classifier.model;
  const figures: Figure[] = [];
  const one = preprocess(image, preprocessConfig);
  figures.push(await measure('image embedding, batch 1', () => model.encodeImages(one, 1), 'the model’s encodeImages on preprocessed pixels: upload, vision tower, projection, readback'));
  if (p.quick) figures.push(skip('image embedding, batch 8', 'quick mode'));
  else {
    const eight = preprocessBatch(Array.from({ length: 8 }, () => image), preprocessConfig).data;
    figures.push(await measure('image embedding, batch 8', () => model.encodeImages(eight, 8), 'as batch 1, 8 images in one forward pass'));
  }
  // The family's default template: "a photo of a {label}." for CLIP, "一张{label}的照片。" for Chinese-CLIP.
  const template = classifier.templates.default[0]!;
  const prompts = labels.map((l) => template.replaceAll('{label}', l));
  const how = 'ZeroShotClassifier.embedTexts: tokenize, text tower in batches of 64, projection, readback, normalise';
  figures.push(await measure('text embedding, 10 labels', () => classifier.embedTexts(prompts.slice(0, 10)), how));
  figures.push(await measure('tokenizer, 1,000 labels', () => tokenizer.encodeBatch(prompts, { padding: 'longest' }), `encodeBatch on the CPU, "${template}" for 1,000 vocabulary words`, Math.max(3, p.reps), Math.max(1, p.warmups)));
  if (p.quick) figures.push(skip('text embedding, 1,000 labels', 'quick mode (about 100× the 10-label figure on a CPU adapter)'));
  else figures.push(await measure('text embedding, 1,000 labels', () => classifier.embedTexts(prompts), how, Math.max(3, Math.ceil(p.reps / 2)), 1));
  return figures;
}

async function captionFigures(
  captioner: Captioner, gpu: Gpu, image: RgbaImage, preprocessConfig: ReturnType<typeof parsePreprocessorConfig>,
  measure: Measure, p: Protocol,
): Promise<Figure[]> {
  const decoder = captioner.captionModel.decoder;
  const figures: Figure[] = [];
  const pixels = preprocess(image, preprocessConfig);
  const encode = async () => {
    const rec = new Recorder(gpu, 'bench.encoder');
    const memory = decoder.imageMemory(rec, pixels);
    await rec.submit();
    memory.release();
    await gpu.device.queue.onSubmittedWorkDone();
  };
  figures.push(await measure('caption encoder', encode,
    'CaptionDecoder.imageMemory, what a caption session records on its first step before the decoder (GIT: ViT-B/16 + post-LN + visual projection; ViT-GPT2: ViT-B/16 + final LN + cross-attention k|v of all 12 layers), one submit, until the queue is idle',
  p.reps, p.warmups));

  const n = p.tokens;
  for (const beams of [1, 3]) {
    const runs = p.quick ? 1 : Math.max(3, Math.ceil(p.reps / 2));
    const totals: number[] = [];
    const firsts: number[] = [];
    const steps: number[] = [];
    for (let r = 0; r < runs + (p.quick ? 0 : 1); r++) {
      const stamps: number[] = [];
      const t0 = performance.now();
      // min_length keeps EOS out, so random weights generate exactly n tokens.
      const result = await captioner.caption(image, { maxNewTokens: n, numBeams: beams, minLength: n + 1, onToken: () => stamps.push(performance.now()) });
      const total = performance.now() - t0;
      if (!p.quick && r === 0) continue; // warm-up run
      if (result.tokens !== n) throw new Error(`caption produced ${result.tokens} tokens, expected ${n}`);
      totals.push(total);
      firsts.push(stamps[0]! - t0);
      for (let i = 1; i < stamps.length; i++) steps.push(stamps[i]! - stamps[i - 1]!);
    }
    const label = beams === 1 ? 'greedy' : `beam ${beams}`;
    const how = `Captioner.caption (${n} tokens, min_length = max so EOS cannot stop it), token times from the onToken stream; ${runs} run${runs > 1 ? 's' : ''}${p.quick ? '' : ' after 1 warm-up run'}`;
    const figure = (name: string, values: number[], what: string): Figure => {
      const f: Figure = { name, ms: median(values), minMs: Math.min(...values), runs: values.length, warmups: p.quick ? 0 : 1, how: `${what}; ${how}` };
      p.log(`${name}: ${f.ms!.toFixed(1)} ms (median of ${values.length})`);
      return f;
    };
    figures.push(figure(`${label}: first token`, firsts, 'preprocess + encoder + prompt step + readback'));
    figures.push(figure(`${label}: ms/token, steady state`, steps, `median step time over tokens 2..${n}`));
    figures.push(figure(`${label}: total for ${n} tokens`, totals, 'the whole call'));
  }
  return figures;
}

/** A question of the length VQAv2 questions usually have. */
const BENCH_QUESTION = 'what color is the car parked next to the house?';

/**
 * Visual question answering: time to the first answer token and the whole answer, greedy, through
 * QuestionAnswerer.ask (every GIT checkpoint serves it: a VQA checkpoint is the same GitForCausalLM).
 */
async function answerFigures(answerer: QuestionAnswerer, image: RgbaImage, p: Protocol): Promise<Figure[]> {
  const n = p.tokens;
  const promptLength = answerer.questionIds(BENCH_QUESTION).length;
  const runs = p.quick ? 1 : Math.max(3, Math.ceil(p.reps / 2));
  const firsts: number[] = [];
  const totals: number[] = [];
  for (let r = 0; r < runs + (p.quick ? 0 : 1); r++) {
    const t0 = performance.now();
    // min_length (prompt included) keeps EOS out, so random weights answer with exactly n tokens.
    const result = await answerer.ask(image, BENCH_QUESTION, { maxNewTokens: n, numBeams: 1, minLength: promptLength + n });
    const total = performance.now() - t0;
    if (!p.quick && r === 0) continue; // warm-up run
    if (result.tokens !== n) throw new Error(`answer has ${result.tokens} tokens, expected ${n}`);
    firsts.push(result.firstTokenMs);
    totals.push(total);
  }
  const how = `QuestionAnswerer.ask, greedy, "${BENCH_QUESTION}" (${promptLength} prompt tokens), ${n} answer tokens (min_length keeps EOS out); ${runs} run${runs > 1 ? 's' : ''}${p.quick ? '' : ' after 1 warm-up run'}`;
  const figure = (name: string, values: number[], what: string): Figure => {
    const f: Figure = { name, ms: median(values), minMs: Math.min(...values), runs: values.length, warmups: p.quick ? 0 : 1, how: `${what}; ${how}` };
    p.log(`${name}: ${f.ms!.toFixed(1)} ms (median of ${values.length})`);
    return f;
  };
  return [
    figure('answer: first answer token', firsts, 'preprocess + encoder + the question as the prompt step + readback'),
    figure(`answer: total for ${n} tokens`, totals, 'the whole call'),
  ];
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** The report as plain-text tables, one per model, with the adapter line on top. */
export function formatModelReport(report: ModelReport): string {
  const lines = [
    `Iris end-to-end benchmark — ${report.runtime} (${report.quick ? 'quick' : 'full'} protocol)`,
    `adapter: ${describeAdapter(report.adapter)}; shader-f16: ${report.f16 ? 'yes' : 'no'}`,
    ...report.notes.slice(1).map((n) => `note: ${n}`),
  ];
  for (const m of report.models) {
    const f = m.firstResult;
    const rows: string[][] = [
      ['first result after "weights in the store"', f.totalMs.toFixed(1), '', '1', f.how],
      ['  read from the store', f.cacheReadMs.toFixed(1), '', '1', ''],
      ['  parse + upload', f.uploadMs.toFixed(1), '', '1', ''],
      [`  compile (${f.pipelines} pipelines)`, f.compileMs.toFixed(1), '', '1', ''],
      ['  first request', f.firstRequestMs.toFixed(1), '', '1', ''],
      ...m.figures.map((x) => [x.name, x.skipped ? 'skipped' : x.ms!.toFixed(1), x.skipped ? '' : x.minMs!.toFixed(1), x.skipped ? '' : `${x.runs}`, x.how]),
      ['download into the store (localhost HTTP)', m.downloadMs.toFixed(1), '', '1', ''],
    ];
    const header = ['figure', 'median ms', 'min ms', 'runs', 'how'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 4 ? 0 : r[i]!.length))));
    const line = (cells: string[]) => cells.map((c, i) => (i === 4 ? c : i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    lines.push(
      '',
      `${m.repo} — ${m.checkpointDtype} checkpoint, ${m.weightsOnGpu} matmul weights on the GPU; gpu.bytesAllocated ${mib(m.memory.afterUploadBytes)} after upload, ${mib(m.memory.endBytes)} at the end`,
      `adapter: ${describeAdapter(report.adapter)}`,
      line(header),
      line(widths.map((w, i) => (i === 4 ? '---' : '-'.repeat(w)))),
      ...rows.map(line),
    );
  }
  for (const f of report.failed) lines.push('', `${f.repo}: could not run on this adapter: ${f.error}`);
  return lines.join('\n');
}
