/**
 * From a model id to a ready task object: download (or read from the cache) the repository's files, parse
 * tokenizer and preprocessor configs, upload the weights, and compile every pipeline the model runs.
 */
import type { Gpu } from '../gpu/gpu';
import { parsePreprocessorConfig } from '../image/preprocess';
import { ClipModel } from '../models/clip';
import type { Json } from '../models/config';
import { GitModel } from '../models/git';
import { parametersFrom, type ParameterOptions, type ParameterSource } from '../models/params';
import { VitGpt2Model } from '../models/vit-gpt2';
import { Captioner } from '../tasks/caption';
import { ZeroShotClassifier } from '../tasks/zero-shot';
import { loadBertTokenizer, loadClipTokenizer, loadGpt2Tokenizer } from '../tokenizers';
import type { Hub, LoadProgress, ModelFiles } from '../weights';
import { filesFor, type ModelEntry } from './registry';

export type LoadedModel = ({ task: 'zero-shot'; classifier: ZeroShotClassifier } | { task: 'caption'; captioner: Captioner }) & {
  /** Frees the model's GPU weights. */
  release(): void;
};

export type LoadPhase =
  | { phase: 'download'; progress: LoadProgress }
  | { phase: 'upload' }
  | { phase: 'compile'; done: boolean; pipelines: number }
  /** Something the user should know that did not stop the load (e.g. weights taken from a conversion branch). */
  | { phase: 'notice'; message: string };

export interface LoadOptions extends ParameterOptions {
  signal?: AbortSignal;
  onPhase?: (phase: LoadPhase) => void;
}

export async function loadModel(entry: ModelEntry, hub: Hub, gpu: Gpu, options: LoadOptions = {}): Promise<LoadedModel> {
  const { files, optionalFiles } = filesFor(entry.family);
  const downloaded = await hub.load({
    repo: entry.repo, revision: entry.revision, files, optionalFiles, pinned: entry.files, signal: options.signal,
    onProgress: (progress) => options.onPhase?.({ phase: 'download', progress }),
    onWarning: (warning) => options.onPhase?.({ phase: 'notice', message: warning.message }),
  });
  options.onPhase?.({ phase: 'upload' });
  const params = parametersFrom(downloaded.weights(), gpu, options);
  if (entry.family === 'vit-gpt2') await gpu.pipelines.prepare(params.layoutSpecs()); // its Conv1D transposes
  let loaded: LoadedModel;
  try {
    loaded = build(entry, downloaded, params);
    await params.settled(); // load-time weight layouts (transposes) ran
  } catch (error) {
    params.release(); // no half-loaded model keeps GPU memory
    throw error;
  }
  await warmUp(loaded, gpu, options);
  return loaded;
}

function build(entry: ModelEntry, files: ModelFiles, params: ParameterSource): LoadedModel {
  const config = files.json('config.json') as Json;
  const release = () => params.release();
  const generation = (files.has('generation_config.json') ? files.json('generation_config.json') : {}) as Json;
  const text = (name: string) => files.text(name)!;
  switch (entry.family) {
    case 'clip': {
      const preprocess = parsePreprocessorConfig(files.json('preprocessor_config.json'), 'CLIPImageProcessor');
      const tokenizer = loadClipTokenizer({ vocabJson: text('vocab.json'), mergesTxt: text('merges.txt') });
      return { task: 'zero-shot', classifier: new ZeroShotClassifier(ClipModel.load(params, config), tokenizer, preprocess), release };
    }
    case 'git': {
      const preprocess = parsePreprocessorConfig(files.json('preprocessor_config.json'), 'CLIPImageProcessor');
      const tokenizer = loadBertTokenizer({ vocabTxt: text('vocab.txt') });
      return { task: 'caption', captioner: new Captioner({ family: 'git', model: GitModel.load(params, config) }, tokenizer, preprocess, generation), release };
    }
    case 'vit-gpt2': {
      const preprocess = parsePreprocessorConfig(files.json('preprocessor_config.json'), 'ViTImageProcessor');
      const tokenizer = loadGpt2Tokenizer({ vocabJson: text('vocab.json'), mergesTxt: text('merges.txt') });
      return { task: 'caption', captioner: new Captioner({ family: 'vit-gpt2', model: VitGpt2Model.load(params, config) }, tokenizer, preprocess, generation), release };
    }
  }
}

/**
 * Compiles every pipeline the model's requests run, so the first request pays no compile time: the model
 * lists them (a recording that records nothing, see SpecCollector) and PipelineCache.prepare compiles them
 * all at once, asynchronously (createComputePipelineAsync), instead of one at a time on first use.
 */
async function warmUp(loaded: LoadedModel, gpu: Gpu, options: LoadOptions): Promise<void> {
  const before = gpu.pipelines.size;
  options.onPhase?.({ phase: 'compile', done: false, pipelines: 0 });
  const specs = loaded.task === 'zero-shot' ? loaded.classifier.model.kernelSpecs() : loaded.captioner.captionModel.model.kernelSpecs();
  await gpu.pipelines.prepare(specs);
  options.onPhase?.({ phase: 'compile', done: true, pipelines: gpu.pipelines.size - before });
}
