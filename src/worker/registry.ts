/**
 * The models Iris knows by name (the catalogue: ids, sizes, labels). Hub checkpoints are the original
 * Hugging Face repositories, pinned to a commit that serves model.safetensors, with that file's exact size and
 * sha256 where a public source gives them (README, "Models", cites each); every download is checked against
 * them (src/weights/integrity.ts). The tiny ones are random-weight stand-ins of the same families, served by
 * the demo itself in the Hub URL layout (`{origin}/hub`), so the app works offline. Which family runs a model
 * is read from its config.json.
 */
import { IrisError } from '../errors';
import type { Task } from '../tasks/task';
import type { PinnedFile } from '../weights/integrity';
import { CHINESE_CLIP_TEMPLATES, CHINESE_DEMO_LABELS } from '../families/chinese-clip/templates';
import { ENGLISH_TEMPLATES, type PromptTemplates } from '../tasks/prompts';

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
  /** Download size for the UI: the pinned files' bytes (in 10^6 bytes) where known, else an estimate. */
  megabytes: number;
  /** Files whose exact bytes at `revision` a public source gives; checked on every download. */
  files?: Readonly<Record<string, PinnedFile>>;
  /** Where `revision` and `files` come from (repository paths or URLs; the README's model table cites them). */
  sources?: readonly string[];
  /** Zero-shot models: the language its labels are read in, the demo's starting labels and its templates (default: English). */
  prompts?: ModelPrompts;
}

/** What the demo starts a zero-shot model with: labels in its language, and its family's templates. */
export interface ModelPrompts {
  labels: readonly string[];
  templates: PromptTemplates;
}

export const ENGLISH_PROMPTS: ModelPrompts = { labels: ['cat', 'dog', 'car', 'house', 'sunset', 'apple'], templates: ENGLISH_TEMPLATES };
const CHINESE_PROMPTS: ModelPrompts = { labels: CHINESE_DEMO_LABELS, templates: CHINESE_CLIP_TEMPLATES };

/** `files` and the `megabytes` they make: their pinned bytes where every size is published, else `estimate`. */
function pinned(files: Record<string, PinnedFile>, estimate?: number): Pick<ModelEntry, 'files' | 'megabytes'> {
  const sizes = Object.values(files).map((f) => f.bytes);
  if (sizes.every((b) => b !== undefined)) return { files, megabytes: Math.round(sizes.reduce((sum, b) => sum + b, 0) / 1e6) };
  if (estimate === undefined) throw new Error('A pinned file without a published size needs an estimated download size.');
  return { files, megabytes: estimate };
}

export const MODELS: readonly ModelEntry[] = [
  // main (3d74acf9…) has only pytorch_model.bin; b33cedfd… is the Hub bot's safetensors conversion (refs/pr/15).
  {
    id: 'openai/clip-vit-base-patch32', task: 'zero-shot', repo: 'openai/clip-vit-base-patch32',
    revision: 'b33cedfd0df4e43b8238760678fcc89e1a0d38b3', label: 'CLIP ViT-B/32',
    ...pinned({ 'model.safetensors': { bytes: 605_157_884, sha256: '99d28a652e6ec46629ab7047a0ac82c69b1fe11e0ce672c43af65d3a9a3fc05d' } }),
    sources: ['github.com/devnull03/qrate scripts/fetch-clip-weights.sh', 'code-search index 58506492971 (the same sha256 at b33cedfd…)'],
  },
  // main (57c21647…) has only pytorch_model.bin; 5ef227a7… is the conversion (refs/pr/17). Its model.safetensors
  // sha256 is published (a project that downloads it at 5ef227a7… records it); its size is not, so the UI size is
  // the Hub's rounded figure, and the sha256 (which fixes the size) is what every download is checked against.
  {
    id: 'openai/clip-vit-base-patch16', task: 'zero-shot', repo: 'openai/clip-vit-base-patch16',
    revision: '5ef227a78de3f75873f373246dac80def63b0003', label: 'CLIP ViT-B/16',
    ...pinned({ 'model.safetensors': { sha256: '846bf12e84b91c2a65b44833a915241443b39356f1000ac1345c61d7bf8a209e' } }, 599),
    sources: [
      'code-search index 68841588545, 69131676977, 51893064891 (pins of 5ef227a7…, "the SFconvertbot safetensors conversion (refs/pr/17)")',
      'github.com/Luigidu45/aloha-home docs/development/asistencia_domestica_modular/historico_alohamini2/fase_3_memoria_percepcion.md (downloads model.safetensors at 5ef227a7…) and fase_3_validacion.json beside it (its sha256 846bf12e…)',
      'code-search index 60882336868 (the same model.safetensors sha256, with the same config.json and preprocessor_config.json sha256s)',
    ],
  },
  // main (a13141da…, README [8]) has only pytorch_model.bin; the safetensors conversion lives on the PR branch.
  // Not pinned to a commit: no public source found names refs/pr/1's commit, size or sha256.
  { id: 'microsoft/git-base-coco', task: 'caption', repo: 'microsoft/git-base-coco', revision: 'refs/pr/1', label: 'GIT-base (COCO)', megabytes: 707 },
  // 93857e5… is this project's earlier pin (said to be refs/pr/37); no public source confirming it, its size or sha256
  // was found. main (dc68f91c…, README [8][9]) lists only pytorch_model.bin.
  // Visual question answering: the same GitForCausalLM as captioning, fine-tuned on VQAv2 / TextVQA (about 709 MB).
  // git-base-vqav2: main (ebc01fc0…, "Adding generation config file(s)") has only pytorch_model.bin; the Hub bot's
  // safetensors conversion is refs/pr/1 (d46c0d0…, short hash only) [huggingface.co/microsoft/git-base-vqav2/commits/
  // refs%2Fpr%2F1 and /tree/9eccfa31…]. Its preprocessor_config.json (960c18d…, in the tree since 0d6fb2bd…) is
  // 480 px with CLIP mean/std, 503 bytes [/blob/0d6fb2bd…/preprocessor_config.json]. Not pinned to a commit: no
  // public source gives refs/pr/1's full commit, or the safetensors size or sha256.
  { id: 'microsoft/git-base-vqav2', task: 'vqa', repo: 'microsoft/git-base-vqav2', revision: 'refs/pr/1', label: 'GIT-base (VQAv2)', megabytes: 709 },
  // git-base-textvqa: safetensors on main (issue 15); no public source found for its commit, size or sha256.
  { id: 'microsoft/git-base-textvqa', task: 'vqa', repo: 'microsoft/git-base-textvqa', revision: 'main', label: 'GIT-base (TextVQA)', megabytes: 709 },
  { id: 'nlpconnect/vit-gpt2-image-captioning', task: 'caption', repo: 'nlpconnect/vit-gpt2-image-captioning', revision: '93857e539f312a97c13f16976c2a43505fd76d87', label: 'ViT-GPT2', megabytes: 982 },
  // BLIP-base captions: main (82a37760…) has only pytorch_model.bin (989,820,849 bytes); the loader takes
  // model.safetensors from the Hub's safetensors conversion branch (refs/pr/…) that the Hub API names for that
  // commit (src/weights/hub.ts). No public source gives that branch's commit, size or sha256, so nothing is pinned.
  {
    id: 'Salesforce/blip-image-captioning-base', task: 'caption', repo: 'Salesforce/blip-image-captioning-base',
    revision: '82a37760796d32b1411fe092ab5d4e227313294b', label: 'BLIP-base (COCO)', megabytes: 990,
    sources: ['code-search index 71229358938 (a model inventory listing every file of Salesforce/blip-image-captioning-base at 82a37760…: pytorch_model.bin only)'],
  },
  // BLIP VQA-base: main (787b3d35…) serves model.safetensors; its size and sha256 are published by three projects
  // that pin it at that commit.
  {
    id: 'Salesforce/blip-vqa-base', task: 'vqa', repo: 'Salesforce/blip-vqa-base',
    revision: '787b3d35d57e49572baabd22884b3d5a05acf072', label: 'BLIP VQA-base',
    ...pinned({ 'model.safetensors': { bytes: 1_538_800_584, sha256: '33786eed34def0c95fa948128cb4386be9b9219aa2c2e25f1c9c744692121bb7' } }),
    sources: [
      'code-search index 71229358938 (a model inventory listing every file of Salesforce/blip-vqa-base at 787b3d35… with bytes and sha256)',
      'code-search index 69453460878 (provenance notes: 787b3d35…, model.safetensors 1,538,800,584 bytes, the same sha256)',
      'code-search index 58131422301 (a download pin of model.safetensors at 787b3d35… with the same sha256)',
    ],
  },
  // main has only pytorch_model.bin; f4a64596… is the safetensors conversion on refs/pr/1. Its model.safetensors
  // sha256 and size are published by projects that download it at that commit (README, "Models").
  {
    id: 'OFA-Sys/chinese-clip-vit-base-patch16', task: 'zero-shot', repo: 'OFA-Sys/chinese-clip-vit-base-patch16',
    revision: 'f4a64596bbcf9a2a94591b74b9dc39b2e4e77e3e', label: 'Chinese-CLIP ViT-B/16 (中文)', prompts: CHINESE_PROMPTS,
    ...pinned({ 'model.safetensors': { bytes: 753_106_020, sha256: '29cc0b2bcf6ff777f2e15742be92b110e4acbdb2068356e862c4637a4b15fe4f' } }),
    sources: [
      'code-search index 67485422133 and 67334193859 (a README that downloads model.safetensors and vocab.txt at f4a64596… and checks their sha256s 29cc0b2b… and 45bbac6b…)',
      'code-search index 70973942875 (REVISION f4a64596…, WEIGHT_SHA256 29cc0b2b…)',
      'code-search index 70896597996 (a release test: "753106020字节权重通过校验", the pinned snapshot\'s weights)',
    ],
  },
  { id: 'iris/tiny-clip', task: 'zero-shot', repo: 'iris/tiny-clip', revision: 'main', local: true, label: 'Tiny CLIP (random weights, offline demo)', megabytes: 3 },
  { id: 'iris/tiny-git', task: 'caption', repo: 'iris/tiny-git', revision: 'main', local: true, label: 'Tiny GIT (random weights, offline demo)', megabytes: 4 },
  { id: 'iris/tiny-git-vqa', task: 'vqa', repo: 'iris/tiny-git-vqa', revision: 'main', local: true, label: 'Tiny GIT VQA (random weights, offline demo)', megabytes: 4 },
  { id: 'iris/tiny-chinese-clip', task: 'zero-shot', repo: 'iris/tiny-chinese-clip', revision: 'main', local: true, label: 'Tiny Chinese-CLIP (random weights, offline demo)', megabytes: 2, prompts: CHINESE_PROMPTS },
  { id: 'iris/tiny-vit-gpt2', task: 'caption', repo: 'iris/tiny-vit-gpt2', revision: 'main', local: true, label: 'Tiny ViT-GPT2 (random weights, offline demo)', megabytes: 4 },
];

export const DEFAULT_MODELS: Record<Task, string> = {
  'zero-shot': 'openai/clip-vit-base-patch32',
  caption: 'microsoft/git-base-coco',
  vqa: 'microsoft/git-base-vqav2',
};

/** The starting labels and templates of a zero-shot model (English for the ones the catalogue does not mark). */
export function promptsOf(id: string): ModelPrompts {
  return MODELS.find((m) => m.id === id)?.prompts ?? ENGLISH_PROMPTS;
}

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
  const { repo, revision } = parseRepoId(id);
  return { id, task, repo, revision, label: repo, megabytes: 0 };
}

/**
 * A Hub repository id "org/name" with an optional "@revision" (a branch, tag or commit; default main).
 * Throws 'bad-input' saying what is expected; checked before anything downloads.
 */
export function parseRepoId(id: string): { repo: string; revision: string } {
  const at = id.indexOf('@');
  const repo = at < 0 ? id : id.slice(0, at);
  const revision = at < 0 ? 'main' : id.slice(at + 1);
  const expected = 'expected "org/name" or "org/name@revision", e.g. "openai/clip-vit-base-patch32"';
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new IrisError('bad-input', `"${id}" is not a model id (${expected}).`);
  // Branches such as refs/pr/1 have slashes; nothing else a revision holds needs spaces, "@" or "..".
  if (!/^[\w.-]+(\/[\w.-]+)*$/.test(revision) || revision.includes('..')) {
    throw new IrisError('bad-input', `"${id}" names no valid revision after "@" (${expected}).`);
  }
  return { repo, revision };
}
