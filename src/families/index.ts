/**
 * The model families Iris runs: the only list of them. Everything else (registry, loader, worker, tasks,
 * scripts/models, test helpers) derives from it. A new family is a folder beside these and one line here;
 * see README.md in this folder.
 */
import { IrisError } from '../errors';
import type { Json } from '../nn/config';
import type { Task } from '../tasks/task';
import { blip } from './blip';
import { chineseClip } from './chinese-clip';
import { clip } from './clip';
import type { Family } from './family';
import { git } from './git';
import { vitGpt2 } from './vit-gpt2';

export type { Family, FamilyFiles, FamilyLoadContext, FamilyTask } from './family';

export const FAMILIES: readonly Family[] = [clip, git, vitGpt2, chineseClip, blip];

/** Every config.json `model_type` some family reads. */
export const SUPPORTED_MODEL_TYPES: readonly string[] = FAMILIES.flatMap((f) => f.modelTypes);

/**
 * The family of a checkpoint, from its config.json: `model_type` picks the family, and with `task` its
 * `architectures` must be among those the family serves that task with. Throws 'unsupported-model' for a
 * model type no family reads (naming those that are), 'bad-input' for a model of another task.
 */
export function familyFor(config: Json, task?: Task, repo = 'The model'): Family {
  const modelType = config.model_type;
  if (typeof modelType !== 'string') {
    throw new IrisError('unsupported-model', `${repo}: config.json has no "model_type", so Iris cannot tell which model it is. Supported model types: ${SUPPORTED_MODEL_TYPES.join(', ')}.`);
  }
  const family = FAMILIES.find((f) => f.modelTypes.includes(modelType));
  if (!family) {
    throw new IrisError('unsupported-model', `${repo} is a "${modelType}" model, which Iris does not run. Supported model types: ${SUPPORTED_MODEL_TYPES.join(', ')}.`);
  }
  if (task !== undefined && !tasksOf(family, config).includes(task)) {
    const architectures = architecturesOf(config);
    const what = architectures.length ? `${architectures.join(', ')} (model type "${modelType}")` : `"${modelType}"`;
    const serves = tasksOf(family, config);
    throw new IrisError('bad-input', `${repo} is a ${what} checkpoint, for ${serves.join(' and ') || 'no task Iris runs'}; it cannot be used for ${task}.`);
  }
  return family;
}

/** The tasks a checkpoint of `family` serves, by its config.json `architectures` (all, where it names none). */
export function tasksOf(family: Family, config: Json): Task[] {
  const architectures = architecturesOf(config);
  return family.tasks
    .filter((t) => !t.architectures || architectures.length === 0 || t.architectures.some((a) => architectures.includes(a)))
    .map((t) => t.task);
}

function architecturesOf(config: Json): string[] {
  return Array.isArray(config.architectures) ? config.architectures.filter((a): a is string => typeof a === 'string') : [];
}
