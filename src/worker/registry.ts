/**
 * The models Iris knows by name. Hub checkpoints are the original Hugging Face repositories (pinned to the
 * revision that has a model.safetensors); the tiny ones are random-weight stand-ins of the same families,
 * served by the demo itself in the Hub URL layout (`{origin}/hub`), so the app works offline.
 */
import { IrisError } from '../errors';

export type Task = 'zero-shot' | 'caption';
export type Family = 'clip' | 'git' | 'vit-gpt2';

export interface ModelEntry {
  id: string;
  task: Task;
  family: Family;
  repo: string;
  revision: string;
  /** Served by the app itself (tiny demo models) rather than the configured Hub. */
  local?: boolean;
  label: string;
  /** Approximate download size, for the UI. */
  megabytes: number;
}

export const MODELS: readonly ModelEntry[] = [
  { id: 'openai/clip-vit-base-patch32', task: 'zero-shot', family: 'clip', repo: 'openai/clip-vit-base-patch32', revision: 'main', label: 'CLIP ViT-B/32', megabytes: 605 },
  { id: 'openai/clip-vit-base-patch16', task: 'zero-shot', family: 'clip', repo: 'openai/clip-vit-base-patch16', revision: 'main', label: 'CLIP ViT-B/16', megabytes: 599 },
  // main has only pytorch_model.bin; the safetensors conversion lives on the PR branch.
  { id: 'microsoft/git-base-coco', task: 'caption', family: 'git', repo: 'microsoft/git-base-coco', revision: 'refs/pr/1', label: 'GIT-base (COCO)', megabytes: 707 },
  { id: 'nlpconnect/vit-gpt2-image-captioning', task: 'caption', family: 'vit-gpt2', repo: 'nlpconnect/vit-gpt2-image-captioning', revision: '93857e539f312a97c13f16976c2a43505fd76d87', label: 'ViT-GPT2', megabytes: 982 },
  { id: 'iris/tiny-clip', task: 'zero-shot', family: 'clip', repo: 'iris/tiny-clip', revision: 'main', local: true, label: 'Tiny CLIP (random weights, offline demo)', megabytes: 3 },
  { id: 'iris/tiny-git', task: 'caption', family: 'git', repo: 'iris/tiny-git', revision: 'main', local: true, label: 'Tiny GIT (random weights, offline demo)', megabytes: 4 },
  { id: 'iris/tiny-vit-gpt2', task: 'caption', family: 'vit-gpt2', repo: 'iris/tiny-vit-gpt2', revision: 'main', local: true, label: 'Tiny ViT-GPT2 (random weights, offline demo)', megabytes: 4 },
];

export const DEFAULT_MODELS: Record<Task, string> = {
  'zero-shot': 'openai/clip-vit-base-patch32',
  caption: 'microsoft/git-base-coco',
};

/**
 * A registered id, or any Hub repo "org/name[@revision]" whose family is given (checkpoints with the same
 * config schema as the registered ones work too).
 */
export function resolveModel(id: string, task: Task, family?: Family): ModelEntry {
  const known = MODELS.find((m) => m.id === id);
  if (known) {
    if (known.task !== task) throw new IrisError('bad-input', `${id} is a ${known.task} model; it cannot be used for ${task}.`);
    return known;
  }
  const [repo, revision = 'main'] = id.split('@') as [string, string?];
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new IrisError('bad-input', `"${id}" is not a model id (expected "org/name" or "org/name@revision").`);
  const guessed = family ?? (task === 'zero-shot' ? 'clip' : undefined);
  if (!guessed) throw new IrisError('unsupported-model', `Unknown captioning model "${id}": say which family it is (git or vit-gpt2).`);
  return { id, task, family: guessed, repo, revision, label: repo, megabytes: 0 };
}

/** Files each family needs from its repository. */
export function filesFor(family: Family): { files: string[]; optionalFiles: string[] } {
  const weights = ['config.json', 'model.safetensors', 'preprocessor_config.json'];
  switch (family) {
    case 'clip':
      return { files: [...weights, 'vocab.json', 'merges.txt'], optionalFiles: [] };
    case 'git':
      return { files: [...weights, 'vocab.txt'], optionalFiles: ['generation_config.json'] };
    case 'vit-gpt2':
      return { files: [...weights, 'vocab.json', 'merges.txt'], optionalFiles: ['generation_config.json'] };
  }
}
