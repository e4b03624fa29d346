/**
 * The vocabulary of the model specs: a spec is a function from an HF config.json to the list of its
 * state_dict entries (name, shape, how to fill it), written with the same module names as transformers'
 * modeling code so it reads like `model.state_dict()`.
 */

/**
 * How a parameter is filled: `mean + std·N(0,1)` or a constant (both stored in the file's float dtype), or one of
 * the integer buffers old checkpoints carry: `arange` (I64 0..n-1 along the last axis, `position_ids`) and
 * `causal-mask` (U8 lower-triangular ones over the last two axes, GPT-2's `attn.bias`).
 */
export type Init =
  | { readonly kind: 'normal'; readonly mean: number; readonly std: number }
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'arange' }
  | { readonly kind: 'causal-mask' };

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Init;
}

/** Linear/conv/embedding weights (transformers' initializer_range). */
export const WEIGHT_STD = 0.02;
/** Biases: small but not zero, so a loader that drops one is caught. */
export const BIAS_STD = 0.02;
/** LayerNorm: weight 1 + 0.1·N(0,1), bias 0.05·N(0,1) — clearly not the identity, so swapped weight/bias show. */
export const NORM_WEIGHT_STD = 0.1;
export const NORM_BIAS_STD = 0.05;

export const normal = (std: number, mean = 0): Init => ({ kind: 'normal', mean, std });

export function param(name: string, shape: readonly number[], init: Init = normal(WEIGHT_STD)): ParamSpec {
  return { name, shape, init };
}

/** torch.nn.Linear(in, out): weight [out, in], bias [out]. */
export function linear(prefix: string, inFeatures: number, outFeatures: number, bias = true): ParamSpec[] {
  const weight = param(`${prefix}.weight`, [outFeatures, inFeatures]);
  return bias ? [weight, param(`${prefix}.bias`, [outFeatures], normal(BIAS_STD))] : [weight];
}

/** transformers' GPT-2 Conv1D(nf=out, nx=in): weight [in, out] (transposed w.r.t. Linear), bias [out]. */
export function conv1d(prefix: string, inFeatures: number, outFeatures: number): ParamSpec[] {
  return [param(`${prefix}.weight`, [inFeatures, outFeatures]), param(`${prefix}.bias`, [outFeatures], normal(BIAS_STD))];
}

/** torch.nn.Conv2d(in, out, kernel, stride=kernel) as a patch embedding: weight [out, in, k, k], bias [out]. */
export function conv2d(prefix: string, inChannels: number, outChannels: number, kernel: number, bias = true): ParamSpec[] {
  const weight = param(`${prefix}.weight`, [outChannels, inChannels, kernel, kernel]);
  return bias ? [weight, param(`${prefix}.bias`, [outChannels], normal(BIAS_STD))] : [weight];
}

/** torch.nn.LayerNorm(size). */
export function layerNorm(prefix: string, size: number): ParamSpec[] {
  return [
    param(`${prefix}.weight`, [size], normal(NORM_WEIGHT_STD, 1)),
    param(`${prefix}.bias`, [size], normal(NORM_BIAS_STD)),
  ];
}

/** torch.nn.Embedding(count, size). */
export function embedding(prefix: string, count: number, size: number): ParamSpec[] {
  return [param(`${prefix}.weight`, [count, size])];
}

export interface StateDictOptions {
  /**
   * Add the buffers that checkpoints saved by older transformers carry and today's `save_pretrained` leaves out:
   * CLIP's and GIT's I64 `*.position_ids` (persistent before 4.31), GPT-2's U8 `attn.bias` causal mask and
   * scalar `attn.masked_bias` (persistent before ~4.2x). Loaders must ignore them.
   */
  legacyBuffers?: boolean;
  /** The chosen value of each of the family's layout options (StandIn.layouts), by flag; an absent one is its default. */
  layout?: Readonly<Record<string, string>>;
}

/**
 * Another way a family's checkpoints are found stored on the Hub besides today's save_pretrained (e.g. where a
 * tied weight is kept): the generator's `--<flag> VALUE`, and what tests load each variant of.
 */
export interface LayoutOption {
  readonly flag: string;
  /** The values it takes; the first is the default (save_pretrained's layout). */
  readonly values: readonly [string, ...string[]];
  /** One line for the generator's usage text. */
  readonly help: string;
}

/** The value `options` choose for `option` (its default when absent); a value it does not take is an error naming those it does. */
export function layoutChoice(options: StateDictOptions, option: LayoutOption): string {
  const value = options.layout?.[option.flag] ?? option.values[0];
  if (!option.values.includes(value)) throw new Error(`--${option.flag} must be ${option.values.join(', ')}; got "${value}".`);
  return value;
}

/** The I64 `position_ids` buffer [1, n]. */
export function positionIds(name: string, n: number): ParamSpec {
  return param(name, [1, n], { kind: 'arange' });
}

/** Reads a positive integer config field; a wrong or missing one names the field. */
export function dim(config: object, key: string, where: string): number {
  const value = (config as Record<string, unknown>)[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${where}.${key} must be a positive integer, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** Like `dim`, for fields that old config.json files leave out (HF then uses the class default). */
export function dimOr(config: object, key: string, fallback: number, where: string): number {
  const value = (config as Record<string, unknown>)[key];
  return value === undefined || value === null ? fallback : dim(config, key, where);
}

/** Reads a nested config object (text_config, vision_config, encoder, decoder). */
export function section(config: object, key: string, where: string): object {
  const value = (config as Record<string, unknown>)[key];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}.${key} must be an object.`);
  return value;
}

// ---- a family's stand-in: its state_dict spec and its tiny demo model ---------------------------------------

type Json = Record<string, unknown>;

/** The config files a tiny demo model is made of (the real ones, with the sizes changed). */
export interface StandInFiles {
  config: Json;
  preprocessor: Json;
  generation?: Json;
}

/**
 * What each family's `stand-in.ts` exports as `standIn` (scripts/make-models and the tests find it by the
 * family's folder): the state_dict of a checkpoint with a given config.json (in each layout it offers), and the tiny demo model
 * `iris/tiny-<family>` (the Hub checkpoint it is a scaled-down copy of, and how its files shrink).
 */
export interface StandIn {
  stateDict(config: Json, options: StateDictOptions): ParamSpec[];
  /** The layout options its stateDict reads from `options.layout`. */
  layouts?: readonly LayoutOption[];
  tiny?: {
    /** Hub id of the checkpoint it copies (configs, tokenizer). */
    like: string;
    shrink(files: StandInFiles): StandInFiles;
    /**
     * More names the same tiny model is published under, `iris/tiny-<name>` (same files and weights): a
     * family whose checkpoints serve several tasks lists its demo model once per task (GIT: `git-vqa`).
     */
    alsoAs?: readonly string[];
  };
}

/**
 * Tiny demo models: hidden 32, 2 layers, 2 heads (head size 16), MLP 128; images 64×64 in 16×16 patches
 * (17 tokens); GPT-2 with 256 positions (its four legacy 1×1×n×n causal masks would take 4 MB at 1024).
 */
export const TINY = { hidden: 32, layers: 2, heads: 2, mlp: 128, image: 64, patch: 16, gpt2Positions: 256 } as const;

export function shrinkTower(config: Json): Json {
  return {
    ...config,
    hidden_size: TINY.hidden,
    intermediate_size: TINY.mlp,
    num_hidden_layers: TINY.layers,
    num_attention_heads: TINY.heads,
  };
}

export function shrinkVision(config: Json): Json {
  return { ...shrinkTower(config), image_size: TINY.image, patch_size: TINY.patch };
}

/** The config.json fields of a ViT image encoder (CLIP's vision_config, ViTModel's encoder) that its state_dict depends on. */
export interface VisionStandInConfig {
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  image_size: number;
  patch_size: number;
  /** Absent from openai's config.json; the class default is 3. */
  num_channels?: number;
}
