/**
 * The four Hub checkpoints Iris runs, as random-weight stand-ins: which spec builds each state_dict, where its
 * real config files are kept (scripts/models/hub/<repo>/, copied verbatim), and which tokenizer files it ships.
 * Also the tiny demo models: the same families and real vocabularies at hidden size 32.
 */
import { clipStateDict, type ClipConfig } from './clip';
import { gitStateDict, type GitConfig } from './git';
import type { ParamSpec, StateDictOptions } from './spec';
import { vitGpt2StateDict, type VisionEncoderDecoderConfig } from './vit-gpt2';

export type Family = 'clip' | 'git' | 'vit-gpt2';
/** Folder under ../shared/tokenizers. */
export type TokenizerKind = 'clip' | 'gpt2' | 'bert';

export interface HubModel {
  /** Hub id; the output goes to weights/generated/<repo>/<dtype>/. */
  readonly repo: string;
  readonly family: Family;
  readonly tokenizer: TokenizerKind;
}

export const HUB_MODELS: readonly HubModel[] = [
  { repo: 'openai/clip-vit-base-patch32', family: 'clip', tokenizer: 'clip' },
  { repo: 'openai/clip-vit-base-patch16', family: 'clip', tokenizer: 'clip' },
  { repo: 'microsoft/git-base-coco', family: 'git', tokenizer: 'bert' },
  { repo: 'nlpconnect/vit-gpt2-image-captioning', family: 'vit-gpt2', tokenizer: 'gpt2' },
];

/**
 * The state_dict of a checkpoint of `family` with this config.json. The four Hub checkpoints were saved by
 * transformers 4.1x–4.26, so by default the stand-ins carry the buffers those versions saved (see StateDictOptions).
 */
export function stateDictFor(family: Family, config: unknown, options: StateDictOptions = {}): ParamSpec[] {
  const legacyBuffers = options.legacyBuffers ?? true;
  if (typeof config !== 'object' || config === null) throw new Error('config.json must hold an object.');
  switch (family) {
    case 'clip':
      return clipStateDict(config as ClipConfig, { legacyBuffers });
    case 'git':
      return gitStateDict(config as GitConfig, { legacyBuffers });
    case 'vit-gpt2':
      return vitGpt2StateDict(config as VisionEncoderDecoderConfig, { ...options, legacyBuffers });
  }
}

// ---- tiny demo models -------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

/**
 * Hidden 32, 2 layers, 2 heads (head size 16), MLP 128; images 64×64 in 16×16 patches (17 tokens); GPT-2 with
 * 256 positions (its four legacy 1×1×n×n causal masks would take 4 MB at 1024).
 */
const TINY = { hidden: 32, layers: 2, heads: 2, mlp: 128, image: 64, patch: 16, gpt2Positions: 256 } as const;

function shrinkTower(config: Json): Json {
  return {
    ...config,
    hidden_size: TINY.hidden,
    intermediate_size: TINY.mlp,
    num_hidden_layers: TINY.layers,
    num_attention_heads: TINY.heads,
  };
}

function shrinkVision(config: Json): Json {
  return { ...shrinkTower(config), image_size: TINY.image, patch_size: TINY.patch };
}

export interface TinyModel {
  /** Folder name under weights/tiny/. */
  readonly name: Family;
  /** The Hub checkpoint it is a scaled-down copy of (configs, tokenizer). */
  readonly like: HubModel;
  /** The real files with the sizes changed; vocabularies, special ids and everything else kept. */
  shrink(files: { config: Json; preprocessor: Json; generation?: Json }): { config: Json; preprocessor: Json; generation?: Json };
}

const hub = (repo: string): HubModel => HUB_MODELS.find((m) => m.repo === repo)!;

export const TINY_MODELS: readonly TinyModel[] = [
  {
    name: 'clip',
    like: hub('openai/clip-vit-base-patch16'),
    shrink: ({ config, preprocessor }) => ({
      config: {
        ...config,
        _name_or_path: 'iris/tiny-clip',
        projection_dim: TINY.hidden,
        text_config: { ...shrinkTower(config.text_config as Json), projection_dim: TINY.hidden },
        vision_config: { ...shrinkVision(config.vision_config as Json), projection_dim: TINY.hidden },
      },
      preprocessor: { ...preprocessor, size: TINY.image, crop_size: TINY.image },
    }),
  },
  {
    name: 'git',
    like: hub('microsoft/git-base-coco'),
    shrink: ({ config, preprocessor, generation }) => ({
      config: { ...shrinkTower(config), vision_config: shrinkVision(config.vision_config as Json) },
      preprocessor: { ...preprocessor, size: { shortest_edge: TINY.image }, crop_size: { height: TINY.image, width: TINY.image } },
      ...(generation && { generation }),
    }),
  },
  {
    name: 'vit-gpt2',
    like: hub('nlpconnect/vit-gpt2-image-captioning'),
    shrink: ({ config, preprocessor, generation }) => ({
      config: {
        ...config,
        encoder: shrinkVision(config.encoder as Json),
        decoder: {
          ...(config.decoder as Json),
          n_embd: TINY.hidden,
          n_layer: TINY.layers,
          n_head: TINY.heads,
          n_positions: TINY.gpt2Positions,
          n_ctx: TINY.gpt2Positions,
        },
      },
      preprocessor: { ...preprocessor, size: TINY.image },
      ...(generation && { generation }),
    }),
  },
];
