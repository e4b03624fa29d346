/**
 * From a model id to ready task runners: download (or read from the cache) the repository's config.json,
 * pick its family from `model_type` (src/families), fetch the family's files, upload the weights, and
 * compile every pipeline the model runs.
 */
import { IrisError } from '../errors';
import { familyFor, type Family } from '../families';
import type { Gpu } from '../gpu/gpu';
import type { Json } from '../nn/config';
import { parametersFrom, type ParameterOptions } from '../nn/params';
import type { Runners, Task, TaskRunner, TaskRunners } from '../tasks/task';
import type { Hub, LoadProgress } from '../weights';
import type { ModelEntry } from './registry';

export interface LoadedModel {
  family: Family;
  /** One runner per task the checkpoint serves. */
  runners: Runners;
  /** Frees the model's GPU weights. */
  release(): void;
}

export type LoadPhase =
  | { phase: 'download'; progress: LoadProgress }
  | { phase: 'upload' }
  | { phase: 'compile'; done: boolean; pipelines: number }
  /** Something the user should know that did not stop the load (e.g. weights taken from a conversion branch). */
  | { phase: 'notice'; message: string };

export interface LoadOptions extends ParameterOptions {
  signal?: AbortSignal;
  onPhase?: (phase: LoadPhase) => void;
  /** The task the caller wants: checked against the checkpoint's architectures before the weights download. */
  task?: Task;
}

export async function loadModel(entry: ModelEntry, hub: Hub, gpu: Gpu, options: LoadOptions = {}): Promise<LoadedModel> {
  const request = {
    repo: entry.repo, revision: entry.revision, pinned: entry.files, signal: options.signal,
    onProgress: (progress: LoadProgress) => options.onPhase?.({ phase: 'download', progress }),
    onWarning: (warning: IrisError) => options.onPhase?.({ phase: 'notice', message: warning.message }),
  };
  const head = await hub.load({ ...request, files: ['config.json'] });
  const config = head.json('config.json') as Json;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new IrisError('bad-config', `${entry.repo}: config.json does not hold an object.`);
  const family = familyFor(config, options.task, entry.repo);
  const downloaded = await hub.load({ ...request, ...family.files(config) });
  options.onPhase?.({ phase: 'upload' });
  const params = parametersFrom(downloaded.weights(), gpu, options);
  let runners: Runners;
  try {
    runners = await family.load({ config, files: downloaded, params, gpu });
    await params.settled(); // load-time weight layouts (transposes) ran
  } catch (error) {
    params.release(); // no half-loaded model keeps GPU memory
    throw error;
  }
  await warmUp(Object.values(runners) as TaskRunner[], gpu, options);
  return { family, runners, release: () => params.release() };
}

/** The runner of `task`, or a 'bad-input' error naming the tasks the model serves. */
export function runnerFor<T extends Task>(loaded: LoadedModel, task: T, model: string): TaskRunners[T] {
  const runner = loaded.runners[task];
  if (!runner) throw new IrisError('bad-input', `${model} is a ${Object.keys(loaded.runners).join(' and ')} model; it cannot be used for ${task}.`);
  return runner as TaskRunners[T];
}

/**
 * Compiles every pipeline the model's requests run, so the first request pays no compile time: the model
 * lists them (a recording that records nothing, see SpecCollector) and PipelineCache.prepare compiles them
 * all at once, asynchronously (createComputePipelineAsync), instead of one at a time on first use.
 */
async function warmUp(runners: TaskRunner[], gpu: Gpu, options: LoadOptions): Promise<void> {
  const before = gpu.pipelines.size;
  options.onPhase?.({ phase: 'compile', done: false, pipelines: 0 });
  await gpu.pipelines.prepare(runners.flatMap((r) => r.kernelSpecs()));
  options.onPhase?.({ phase: 'compile', done: true, pipelines: gpu.pipelines.size - before });
}
