/**
 * The tasks Iris runs, and the object each one runs on. A family builds these runners from a checkpoint
 * (src/families); the worker and the API only ever see a task and its runner. Adding a task adds its
 * runner here, with a `kernelSpecs()` so its pipelines compile at load.
 */
import type { ShaderSpec } from '../gpu/pipelines';
import type { Captioner } from './caption';
import type { QuestionAnswerer } from './vqa';
import type { ZeroShotClassifier } from './zero-shot';

export interface TaskRunners {
  'zero-shot': ZeroShotClassifier;
  caption: Captioner;
  vqa: QuestionAnswerer;
}

export type Task = keyof TaskRunners;

/** What every runner offers the loader. */
export interface TaskRunner {
  kernelSpecs(): ShaderSpec[];
}

/** The runners one checkpoint serves (a model_type may serve several tasks with the same weights). */
export type Runners = { [T in Task]?: TaskRunners[T] };
