// The three models in Chromium (page thread or dedicated Worker), loaded the way the product loads them:
// Hub (real fetch from the Node-side hub server, chunks cached in the real IndexedDB) → parametersFrom →
// ClipModel / GitModel / VitGpt2Model. Each run takes the golden inputs as plain arrays and returns plain
// number arrays; the Node-side test compares them with the golden outputs.
import { Gpu } from '../../../src/gpu/gpu';
import { Recorder } from '../../../src/gpu/recorder';
import type { Tensor } from '../../../src/gpu/tensor';
import { parsePreprocessorConfig } from '../../../src/image/preprocess';
import type { RgbaImage } from '../../../src/image/rgba-image';
import { ChineseClipModel } from '../../../src/families/chinese-clip/model';
import { ClipModel, type ClipTextOutput } from '../../../src/families/clip/model';
import type { ImageEmbeddingOutput } from '../../../src/nn/image-embedder';
import { l2Normalize, similarityLogits } from '../../../src/nn/similarity';
import type { Json } from '../../../src/nn/config';
import { generate, type GenerationOptions } from '../../../src/nn/generate';
import { CaptionSession, type CaptionDecoder, type ImageMemory } from '../../../src/nn/caption-session';
import { gitVqaModel } from '../../../src/families/git';
import { GitModel } from '../../../src/families/git/model';
import { parametersFrom } from '../../../src/nn/params';
import { VitGpt2Model } from '../../../src/families/vit-gpt2/model';
import { BlipCaptionModel, BlipVqaModel } from '../../../src/families/blip/model';
import { ZeroShotClassifier, type LabelScore } from '../../../src/tasks/zero-shot';
import { loadClipTokenizer } from '../../../src/tokenizers';
import { indexedDbStore } from '../../../src/weights/cache-store';
import { Hub } from '../../../src/weights/hub';
import type { ModelFiles } from '../../../src/weights/model-files';

/** Where a model comes from: the hub server's URL, a repository on it, and the IndexedDB database to cache in. */
export interface ModelSource {
  baseUrl: string;
  repo: string;
  db: string;
}

/** Golden inputs of one image-conditioned run. pixelValues: [images, 3, S, S] flattened. */
export interface ImageInputs {
  pixelValues: number[];
  images: number;
}

export interface ClipArgs extends ModelSource, ImageInputs {
  inputIds: number[];
  attentionMask: number[];
  texts: number;
  seq: number;
}

export interface ClipResult {
  context: string;
  adapter: string;
  f16: boolean;
  visionLastHiddenState: number[];
  visionPooled: number[];
  imageEmbedsUnnormalized: number[];
  imageEmbeds: number[];
  textLastHiddenState: number[];
  textPooled: number[];
  textPooledPositions: number[];
  textEmbedsUnnormalized: number[];
  textEmbeds: number[];
  textLastHiddenStateNoMask: number[];
  textPooledNoMask: number[];
  /** exp(logit_scale). */
  logitScale: number;
  logitsPerImage: number[];
  logitsPerText: number[];
}

/** Chinese-CLIP: both towers (the text one a BERT pooled at [CLS]) and the logits. */
export interface ChineseClipResult {
  context: string;
  visionLastHiddenState: number[];
  visionPooled: number[];
  imageEmbedsUnnormalized: number[];
  imageEmbeds: number[];
  textLastHiddenState: number[];
  textEmbedsUnnormalized: number[];
  textEmbeds: number[];
  logitScale: number;
  logitsPerImage: number[];
}

export interface TeacherForcedArgs extends ModelSource, ImageInputs {
  inputIds: number[];
  attentionMask: number[];
}

export interface TeacherForcedResult {
  /** GIT: post-LN image encoder output; ViT-GPT2: encoder last_hidden_state. */
  encoder: number[];
  /** GIT only: projected visual features. */
  projected?: number[];
  logitsShape: number[];
  logits: number[];
}

/** One image (pixelValues [1, 3, S, S]) for greedy decoding. */
export interface GenerateArgs extends ModelSource, ImageInputs {
  maxNewTokens: number;
}

export interface GenerateResult {
  ids: number[];
  /** The raw logits of each decoding step (KV-cache path), [steps, V] flattened. */
  stepLogits: number[];
}

export interface CacheVsFullResult extends GenerateResult {
  /** One forward over `ids` (the generated sequence) with an empty cache: every row's logits. */
  fullShape: number[];
  full: number[];
}

/** One image and a GIT VQA prompt ([CLS] + question ids) for greedy answering. */
export interface VqaArgs extends GenerateArgs {
  questionIds: number[];
}

export interface ZeroShotArgs extends ModelSource {
  labels: string[];
  /** A synthetic RGBA image of this size is classified. */
  width: number;
  height: number;
}

export interface ZeroShotResult {
  f16: boolean;
  /** GPU bytes the loaded model's parameters occupy. */
  weightBytes: number;
  /** Bytes of the checkpoint files. */
  fileBytes: number;
  ranked: LabelScore[];
  ms: { load: number; upload: number; classify: number };
}

const list = (values: ArrayLike<number>): number[] => Array.from(values);

/** Where a run ran: the page thread, or the dedicated Worker (no window there). */
const context = (): 'page' | 'worker' => (typeof window === 'undefined' ? 'worker' : 'page');

/** Submits `rec` and reads `tensors` back (released after the submit): their values, in order. */
async function submitAndRead(rec: Recorder, ...tensors: Tensor[]): Promise<number[][]> {
  const reads = tensors.map((t) => rec.read(t));
  rec.releaseAfterSubmit(...tensors);
  await rec.submit();
  return (await Promise.all(reads)).map(list);
}

/** pixelValues as a [images, 3, size, size] f32 upload. */
const uploadPixels = (rec: Recorder, pixels: ArrayLike<number>, images: number, size: number): Tensor =>
  rec.upload(Float32Array.from(pixels), [images, 3, size, size], 'f32', 'pixel_values');

let shared: Promise<Gpu> | undefined;
/** One device per page (or worker): every model and run shares it, and with it the compiled pipelines. */
function device(): Promise<Gpu> {
  shared ??= Gpu.create();
  return shared;
}

function load(source: ModelSource, files: string[], optionalFiles: string[] = []): Promise<ModelFiles> {
  const hub = new Hub({ baseUrl: source.baseUrl, store: indexedDbStore(source.db) });
  return hub.load({ repo: source.repo, files, optionalFiles });
}

const loaded = new Map<string, Promise<unknown>>();
/** Loads a model once per (database, repository) in this context; a failed load is forgotten, so it can be retried. */
function model<T>(source: ModelSource, make: (files: ModelFiles, gpu: Gpu) => T): Promise<T> {
  const key = `${source.db}\n${source.repo}`;
  let promise = loaded.get(key) as Promise<T> | undefined;
  if (!promise) {
    promise = Promise.all([load(source, ['config.json', 'model.safetensors'], ['generation_config.json']), device()]).then(([files, gpu]) => make(files, gpu));
    promise.catch(() => loaded.delete(key));
    loaded.set(key, promise);
  }
  return promise;
}

const clipModel = (s: ModelSource) => model(s, (files, gpu) => ClipModel.load(parametersFrom(files.weights(), gpu), files.json('config.json') as Json));
const gitModel = (s: ModelSource) => model(s, (files, gpu) => GitModel.load(parametersFrom(files.weights(), gpu), files.json('config.json') as Json));
const vitGpt2Model = (s: ModelSource) => model(s, (files, gpu) => VitGpt2Model.load(parametersFrom(files.weights(), gpu), files.json('config.json') as Json));

const chineseClipModel = (s: ModelSource) => model(s, (files, gpu) => ChineseClipModel.load(parametersFrom(files.weights(), gpu), files.json('config.json') as Json));

/** What both dual encoders give for the golden images and texts: each tower's states and embeddings, and logits_per_image. */
function towerOutputs(m: { config: { projectionDim: number }; logitScale: number }, vision: ImageEmbeddingOutput, text: Omit<ClipTextOutput, 'pooled' | 'pooledPositions'>): ChineseClipResult {
  const dim = m.config.projectionDim;
  return {
    context: context(),
    visionLastHiddenState: list(vision.lastHiddenState!),
    visionPooled: list(vision.pooled),
    imageEmbedsUnnormalized: list(vision.embeds),
    imageEmbeds: list(l2Normalize(vision.embeds, dim)),
    textLastHiddenState: list(text.lastHiddenState!),
    textEmbedsUnnormalized: list(text.embeds),
    textEmbeds: list(l2Normalize(text.embeds, dim)),
    logitScale: m.logitScale,
    logitsPerImage: list(similarityLogits(vision.embeds, text.embeds, dim, m.logitScale)),
  };
}

async function chineseClip(args: ClipArgs): Promise<ChineseClipResult> {
  const m = await chineseClipModel(args);
  const vision = await m.encodeImages(Float32Array.from(args.pixelValues), args.images, { hiddenStates: true });
  const text = await m.encodeTexts(Int32Array.from(args.inputIds), Int32Array.from(args.attentionMask), args.texts, args.seq, { hiddenStates: true });
  return towerOutputs(m, vision, text);
}

/** CLIP's towers as Chinese-CLIP's, and its text pooler (at the EOS positions), the text tower without the mask and logits_per_text. */
async function clip(args: ClipArgs): Promise<ClipResult> {
  const m = await clipModel(args);
  const gpu = await device();
  const vision = await m.encodeImages(Float32Array.from(args.pixelValues), args.images, { hiddenStates: true });
  const ids = Int32Array.from(args.inputIds);
  const text = await m.encodeTexts(ids, Int32Array.from(args.attentionMask), args.texts, args.seq, { hiddenStates: true });
  const noMask = await m.encodeTexts(ids, new Int32Array(ids.length).fill(1), args.texts, args.seq, { hiddenStates: true });
  return {
    ...towerOutputs(m, vision, text),
    adapter: [gpu.adapter.vendor, gpu.adapter.architecture, gpu.adapter.description].filter(Boolean).join(' / '),
    f16: gpu.features.f16,
    textPooled: list(text.pooled),
    textPooledPositions: text.pooledPositions,
    textLastHiddenStateNoMask: list(noMask.lastHiddenState!),
    textPooledNoMask: list(noMask.pooled),
    logitsPerText: list(similarityLogits(text.embeds, vision.embeds, m.config.projectionDim, m.logitScale)),
  };
}

const greedy = (maxNewTokens: number, eos: number): GenerationOptions => ({
  maxNewTokens, numBeams: 1, minLength: 0, lengthPenalty: 1, earlyStopping: false, noRepeatNgramSize: 0, repetitionPenalty: 1, eosTokenIds: [eos],
});

/** Greedy decoding from `prompt` with the KV cache (a CaptionSession over `decoder`), at most `maxNewTokens` new tokens. */
async function greedyCaption<M extends ImageMemory>(decoder: CaptionDecoder<M>, pixels: Float32Array, prompt: number[], maxNewTokens: number, eos: number): Promise<GenerateResult> {
  const session = new CaptionSession(decoder, pixels, prompt.length + maxNewTokens);
  try {
    const result = await generate(session, prompt, greedy(maxNewTokens, eos));
    return { ids: result.ids, stepLogits: result.stepLogits!.flatMap(list) };
  } finally {
    session.dispose();
  }
}

/**
 * One GIT forward with an empty cache: the image encoder over `pixels`, its projected tokens, then the decoder
 * over the image tokens and `ids` (with `textMask`, if any): both image outputs and every position's logits.
 */
async function gitForward(m: GitModel, label: string, pixels: ArrayLike<number>, images: number, ids: number[], textMask?: number[]): Promise<TeacherForcedResult> {
  const rec = new Recorder(m.gpuDevice, label);
  const { encoderOutput, imageTokens } = m.encodeImage(rec, uploadPixels(rec, pixels, images, m.imageSize), images);
  const cache = m.createCache(images, ids.length / images);
  const logits = m.step(rec, cache, { ids: Int32Array.from(ids), ...(textMask ? { textMask: Int32Array.from(textMask) } : {}), imageTokens, logits: 'all' });
  const [encoder, projected, out] = await submitAndRead(rec, encoderOutput, imageTokens, logits);
  cache.release();
  return { encoder: encoder!, projected: projected!, logitsShape: [...logits.shape], logits: out! };
}

/** A teacher-forced forward's logits as the full-forward half of a CacheVsFullResult. */
const asFull = ({ logitsShape, logits }: TeacherForcedResult): Pick<CacheVsFullResult, 'fullShape' | 'full'> => ({ fullShape: logitsShape, full: logits });

/**
 * GIT answering a question through the family's VqaModel (the prompt it builds from the question ids):
 * greedy with the KV cache, then one no-cache forward over the question and the answer.
 */
async function gitVqa(args: VqaArgs): Promise<CacheVsFullResult & { context: string }> {
  const m = await gitModel(args);
  const { decoder, prompt } = gitVqaModel(m).decoding(args.questionIds);
  const pixels = Float32Array.from(args.pixelValues);
  const cached = await greedyCaption(decoder, pixels, prompt, args.maxNewTokens, m.config.eosTokenId);
  return { context: context(), ...cached, ...asFull(await gitForward(m, 'test.git-vqa.full-forward', pixels, 1, cached.ids)) };
}

/**
 * One ViT-GPT2 forward with an empty cache: the encoder over `pixels`, then the decoder (cross-attending to it)
 * over `ids` (with `textMask`, if any): the encoder's states and every position's logits.
 */
async function vitGpt2Forward(m: VitGpt2Model, label: string, pixels: ArrayLike<number>, images: number, ids: number[], textMask?: number[]): Promise<TeacherForcedResult> {
  const rec = new Recorder(m.gpuDevice, label);
  const states = m.encodeImage(rec, uploadPixels(rec, pixels, images, m.imageSize), images);
  const memory = m.crossAttentionMemory(rec, states);
  const cache = m.createCache(images, ids.length / images);
  const logits = m.step(rec, cache, memory, { ids: Int32Array.from(ids), ...(textMask ? { textMask: Int32Array.from(textMask) } : {}), logits: 'all' });
  const [encoder, out] = await submitAndRead(rec, states, logits);
  cache.release();
  memory.release();
  return { encoder: encoder!, logitsShape: [...logits.shape], logits: out! };
}

/** The runs of a captioning family on one image: the forward (`forward`), the greedy caption from its `start` token, and both. */
function captionerRuns<M extends CaptionDecoder & { config: { eosTokenId: number } }>(
  family: string,
  load: (source: ModelSource) => Promise<M>,
  forward: (m: M, label: string, pixels: ArrayLike<number>, images: number, ids: number[], textMask?: number[]) => Promise<TeacherForcedResult>,
  start: (m: M) => number,
) {
  const caption = (m: M, pixels: Float32Array, maxNewTokens: number) => greedyCaption(m, pixels, [start(m)], maxNewTokens, m.config.eosTokenId);
  return {
    /** The golden texts teacher-forced over the golden images. */
    teacherForced: async (args: TeacherForcedArgs): Promise<TeacherForcedResult> =>
      forward(await load(args), `test.${family}.teacher-forced`, args.pixelValues, args.images, args.inputIds, args.attentionMask),
    generate: async (args: GenerateArgs): Promise<GenerateResult> => caption(await load(args), Float32Array.from(args.pixelValues), args.maxNewTokens),
    /** Greedy decoding with the KV cache, then one no-cache forward over the sequence it produced. */
    cacheVsFull: async (args: GenerateArgs): Promise<CacheVsFullResult> => {
      const m = await load(args);
      const pixels = Float32Array.from(args.pixelValues);
      const cached = await caption(m, pixels, args.maxNewTokens);
      return { ...cached, ...asFull(await forward(m, `test.${family}.full-forward`, pixels, 1, cached.ids)) };
    },
  };
}

const git = captionerRuns('git', gitModel, gitForward, (m) => m.config.bosTokenId);
const vitGpt2 = captionerRuns('vit-gpt2', vitGpt2Model, vitGpt2Forward, (m) => m.config.decoderStartTokenId);

/** Smooth colour gradients with a bright disc: deterministic, and not constant under any crop. */
function syntheticImage(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const disc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / 4) ** 2;
      data[i] = disc ? 240 : (255 * x) / width;
      data[i + 1] = disc ? 200 : (255 * y) / height;
      data[i + 2] = disc ? 40 : 128 + 100 * Math.sin(x / 9 + y / 13);
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

/**
 * The tasks-level zero-shot classifier over a full-size checkpoint, on a device of its own that is destroyed
 * afterwards (the models have no release method, and these weights are hundreds of MB of SwiftShader memory).
 */
async function zeroShot(args: ZeroShotArgs): Promise<ZeroShotResult> {
  const t0 = performance.now();
  const files = await load(args, ['config.json', 'preprocessor_config.json', 'vocab.json', 'merges.txt', 'model.safetensors']);
  const t1 = performance.now();
  const gpu = await Gpu.create();
  try {
    const before = gpu.bytesAllocated;
    const m = ClipModel.load(parametersFrom(files.weights(), gpu), files.json('config.json') as Json);
    const weightBytes = gpu.bytesAllocated - before;
    const t2 = performance.now();
    const tokenizer = loadClipTokenizer({ vocabJson: files.text('vocab.json')!, mergesTxt: files.text('merges.txt')! });
    const classifier = new ZeroShotClassifier(m, tokenizer, parsePreprocessorConfig(files.json('preprocessor_config.json')));
    const [ranked] = await classifier.classify([syntheticImage(args.width, args.height)], args.labels);
    const t3 = performance.now();
    const fileBytes = ['config.json', 'preprocessor_config.json', 'vocab.json', 'merges.txt', 'model.safetensors'].reduce((n, f) => n + files.bytes(f)!.byteLength, 0);
    return { f16: gpu.features.f16, weightBytes, fileBytes, ranked: ranked!, ms: { load: t1 - t0, upload: t2 - t1, classify: t3 - t2 } };
  } finally {
    gpu.destroy();
  }
}

// ---- BLIP: captioning (golden/blip) and VQA (golden/blip-vqa) ----

const blipCaptionModel = (s: ModelSource) => model(s, (files, gpu) => BlipCaptionModel.load(parametersFrom(files.weights(), gpu), files.json('config.json') as Json));
const blipVqaModel = (s: ModelSource) => model(s, (files, gpu) => BlipVqaModel.load(parametersFrom(files.weights(), gpu), files.json('config.json') as Json));

async function blipTeacherForced(args: TeacherForcedArgs): Promise<TeacherForcedResult> {
  const m = await blipCaptionModel(args);
  const rec = new Recorder(m.gpuDevice, 'test.blip.teacher-forced');
  const states = m.vision.encode(rec, uploadPixels(rec, args.pixelValues, args.images, m.imageSize), args.images);
  const memory = m.decoder.crossMemory(rec, states);
  const cache = m.createCache(args.images, args.inputIds.length / args.images);
  const logits = m.decoder.logits(rec, cache, memory, { ids: Int32Array.from(args.inputIds), textMask: Int32Array.from(args.attentionMask) }, 'all');
  const [encoder, out] = await submitAndRead(rec, states, logits);
  cache.release();
  memory.release();
  return { encoder: encoder!, logitsShape: [...logits.shape], logits: out! };
}

/** Greedy BLIP caption from `prompt` ([DEC], or [DEC] + a prompt's word pieces). */
async function blipGenerate(args: GenerateArgs & { prompt: number[] }): Promise<GenerateResult> {
  const m = await blipCaptionModel(args);
  return greedyCaption(m, Float32Array.from(args.pixelValues), args.prompt, args.maxNewTokens, m.config.sepTokenId);
}

export interface BlipVqaArgs extends ModelSource, ImageInputs {
  /** Questions [images, L] ([CLS] … [SEP], right-padded) and their mask. */
  inputIds: number[];
  attentionMask: number[];
  maxNewTokens: number;
}

export interface BlipVqaResult extends GenerateResult {
  vision: number[];
  question: number[];
}

/** Vision and question states of every row; the greedy answer to row 0 (its padded question, as transformers). */
async function blipVqa(args: BlipVqaArgs): Promise<BlipVqaResult> {
  const m = await blipVqaModel(args);
  const size = m.imageSize;
  const pixels = Float32Array.from(args.pixelValues);
  const rec = new Recorder(m.gpu, 'test.blip-vqa.states');
  const image = m.vision.encode(rec, uploadPixels(rec, pixels, args.images, size), args.images);
  const question = m.questionStates(rec, image, Int32Array.from(args.inputIds), args.images, Int32Array.from(args.attentionMask));
  const [vision, states] = await submitAndRead(rec, image, question);
  const L = args.inputIds.length / args.images;
  const decoder = m.answerDecoderFor(args.inputIds.slice(0, L), args.attentionMask.slice(0, L));
  const answer = await greedyCaption(decoder, pixels.slice(0, 3 * size * size), [m.config.bosTokenId], args.maxNewTokens, m.config.sepTokenId);
  return { ...answer, vision: vision!, question: states! };
}

export const runs = {
  clip, chineseClip, gitTeacherForced: git.teacherForced, gitGenerate: git.generate, gitCacheVsFull: git.cacheVsFull, gitVqa,
  vitGpt2TeacherForced: vitGpt2.teacherForced, vitGpt2Generate: vitGpt2.generate, vitGpt2CacheVsFull: vitGpt2.cacheVsFull, zeroShot,
  blipTeacherForced, blipGenerate, blipVqa,
};
export type Runs = typeof runs;
export type RunName = keyof Runs;
