/**
 * The models Iris knows by name (the catalogue: ids, sizes, labels). Hub checkpoints are the original
 * Hugging Face repositories (pinned to the revision that has a model.safetensors); the tiny ones are
 * random-weight stand-ins of the same families, served by the demo itself in the Hub URL layout
 * (`{origin}/hub`), so the app works offline. Which family runs a model is read from its config.json.
 */
import { IrisError } from '../errors';
import type { Task } from '../tasks/task';

export type { Task };

export interface ModelEntry {
  id: string;
  /** The task it is listed under (the demo's pickers); unknown repos get the task they were asked for. */
  task: Task;
  repo: string;
  revision: string;
  /** Served by the app itself (tiny demo models) rather than the configured Hub. */
  local?: boolean;
  label: string;
  /** Approximate download size, for the UI. */
  megabytes: number;
}

export const MODELS: readonly ModelEntry[] = [
  { id: 'openai/clip-vit-base-patch32', task: 'zero-shot', repo: 'openai/clip-vit-base-patch32', revision: 'main', label: 'CLIP ViT-B/32', megabytes: 605 },
  { id: 'openai/clip-vit-base-patch16', task: 'zero-shot', repo: 'openai/clip-vit-base-patch16', revision: 'main', label: 'CLIP ViT-B/16', megabytes: 599 },
  // main has only pytorch_model.bin; the safetensors conversion lives on the PR branch.
  { id: 'microsoft/git-base-coco', task: 'caption', repo: 'microsoft/git-base-coco', revision: 'refs/pr/1', label: 'GIT-base (COCO)', megabytes: 707 },
  { id: 'nlpconnect/vit-gpt2-image-captioning', task: 'caption', repo: 'nlpconnect/vit-gpt2-image-captioning', revision: '93857e539f312a97c13f16976c2a43505fd76d87', label: 'ViT-GPT2', megabytes: 982 },
  { id: 'iris/tiny-clip', task: 'zero-shot', repo: 'iris/tiny-clip', revision: 'main', local: true, label: 'Tiny CLIP (random weights, offline demo)', megabytes: 3 },
  { id: 'iris/tiny-git', task: 'caption', repo: 'iris/tiny-git', revision: 'main', local: true, label: 'Tiny GIT (random weights, offline demo)', megabytes: 4 },
  { id: 'iris/tiny-vit-gpt2', task: 'caption', repo: 'iris/tiny-vit-gpt2', revision: 'main', local: true, label: 'Tiny ViT-GPT2 (random weights, offline demo)', megabytes: 4 },
];

export const DEFAULT_MODELS: Record<Task, string> = {
  'zero-shot': 'openai/clip-vit-base-patch32',
  caption: 'microsoft/git-base-coco',
};

/**
 * A registered id, or any Hub repo "org/name[@revision]": its config.json says which family runs it (and
 * whether it serves `task`), once it is downloaded.
 */
export function resolveModel(id: string, task: Task): ModelEntry {
  const known = MODELS.find((m) => m.id === id);
  if (known) {
    if (known.task !== task) throw new IrisError('bad-input', `${id} is a ${known.task} model; it cannot be used for ${task}.`);
    return known;
  }
  const [repo, revision = 'main'] = id.split('@') as [string, string?];
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new IrisError('bad-input', `"${id}" is not a model id (expected "org/name" or "org/name@revision").`);
  return { id, task, repo, revision, label: repo, megabytes: 0 };
}
