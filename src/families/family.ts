/**
 * What a model family provides (one folder per family, listed once in ./index.ts). The loader downloads a
 * repository's config.json, picks the family whose `modelTypes` has its `model_type` (and whose `tasks`
 * accept its `architectures`), fetches the family's `files`, and calls `load` to build the task runners.
 */
import type { Gpu } from '../gpu/gpu';
import type { Json } from '../nn/config';
import type { ParameterSource } from '../nn/params';
import type { Runners, Task } from '../tasks/task';
import type { ModelFiles } from '../weights';

export interface FamilyTask {
  task: Task;
  /**
   * The config.json `architectures` that serve this task (e.g. BlipForConditionalGeneration for captions,
   * BlipForQuestionAnswering for VQA). Absent: any checkpoint of the family's model types.
   */
  architectures?: readonly string[];
}

export interface FamilyFiles {
  /** Files the repository must have (config.json included). */
  files: string[];
  /** Files some checkpoints lack (generation_config.json): absent ones are not an error. */
  optionalFiles: string[];
}

export interface FamilyLoadContext {
  /** The repository's config.json. */
  config: Json;
  /** Every file that `files` listed (optional ones where present). */
  files: ModelFiles;
  /** The checkpoint's tensors, uploaded on request with the precision policy applied. */
  params: ParameterSource;
  gpu: Gpu;
}

export interface Family {
  /** The family's folder under src/families/ (and its golden folder under ../shared/golden). */
  readonly name: string;
  /** config.json `model_type` values it reads. */
  readonly modelTypes: readonly string[];
  /** The tasks it serves. */
  readonly tasks: readonly FamilyTask[];
  /** Which repository files it needs, given the config. */
  files(config: Json): FamilyFiles;
  /**
   * Parses the configs, sets up tokenizer and image processor, uploads the weights and returns a runner for
   * each task this checkpoint serves. Throws an IrisError ('unsupported-model', 'bad-config', 'tensor-…').
   */
  load(context: FamilyLoadContext): Promise<Runners>;
}
