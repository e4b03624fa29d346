/**
 * The Hub checkpoints Iris runs, as random-weight stand-ins: where each one's real config files are kept
 * (scripts/models/hub/<repo>/, copied verbatim) and which tokenizer files it ships. Which state_dict a
 * config.json has comes from its family (src/families: the config's model_type picks it), whose
 * `stand-in.ts` also says which tiny demo model `iris/tiny-<family>` it has.
 */
import { FAMILIES, familyFor, type Family } from '../../src/families';
import type { LayoutOption, ParamSpec, StandIn, StandInFiles, StateDictOptions } from '../../src/families/stand-in-spec';

/** Folder under ../shared/tokenizers. */
export type TokenizerKind = 'clip' | 'gpt2' | 'bert' | 'chinese-clip';

export interface HubModel {
  /** Hub id; the output goes to weights/generated/<repo>/<dtype>/. */
  readonly repo: string;
  readonly tokenizer: TokenizerKind;
}

export const HUB_MODELS: readonly HubModel[] = [
  { repo: 'openai/clip-vit-base-patch32', tokenizer: 'clip' },
  { repo: 'openai/clip-vit-base-patch16', tokenizer: 'clip' },
  { repo: 'microsoft/git-base-coco', tokenizer: 'bert' },
  { repo: 'nlpconnect/vit-gpt2-image-captioning', tokenizer: 'gpt2' },
  { repo: 'OFA-Sys/chinese-clip-vit-base-patch16', tokenizer: 'chinese-clip' },
  { repo: 'OFA-Sys/chinese-clip-vit-large-patch14', tokenizer: 'chinese-clip' },
  { repo: 'OFA-Sys/chinese-clip-vit-large-patch14-336px', tokenizer: 'chinese-clip' },
  { repo: 'OFA-Sys/chinese-clip-vit-huge-patch14', tokenizer: 'chinese-clip' },
];

const STAND_INS = import.meta.glob<StandIn>('../../src/families/*/stand-in.ts', { eager: true, import: 'standIn' });

/** A family's stand-in (src/families/<name>/stand-in.ts). */
export function standInOf(family: Family): StandIn {
  const standIn = STAND_INS[`../../src/families/${family.name}/stand-in.ts`];
  if (!standIn) throw new Error(`src/families/${family.name}/stand-in.ts is missing or exports no "standIn".`);
  return standIn;
}

/**
 * The state_dict of a checkpoint with this config.json (its model_type picks the family). The four Hub
 * checkpoints were saved by transformers 4.1x–4.26, so by default the stand-ins carry the buffers those
 * versions saved (see StateDictOptions).
 */
export function stateDictFor(config: unknown, options: StateDictOptions = {}): ParamSpec[] {
  if (typeof config !== 'object' || config === null) throw new Error('config.json must hold an object.');
  const json = config as Record<string, unknown>;
  return standInOf(familyFor(json)).stateDict(json, { ...options, legacyBuffers: options.legacyBuffers ?? true });
}

/** The layout options (StandIn.layouts) of the family this config.json belongs to. */
export function layoutsOf(config: Record<string, unknown>): readonly LayoutOption[] {
  return standInOf(familyFor(config)).layouts ?? [];
}

/** Every family's layout options, with the family that offers each. */
export const LAYOUT_OPTIONS: readonly { family: string; option: LayoutOption }[] = FAMILIES.flatMap((family) =>
  (standInOf(family).layouts ?? []).map((option) => ({ family: family.name, option })),
);

// ---- tiny demo models -------------------------------------------------------------------------------------

export interface TinyModel {
  /** Its family's name (or one of its `alsoAs` names): the model is iris/tiny-<name>. */
  readonly name: string;
  /** The Hub checkpoint it is a scaled-down copy of (configs, tokenizer). */
  readonly like: HubModel;
  /** The real files with the sizes changed; vocabularies, special ids and everything else kept. */
  shrink(files: StandInFiles): StandInFiles;
}

export const TINY_MODELS: readonly TinyModel[] = FAMILIES.flatMap((family) => {
  const tiny = standInOf(family).tiny;
  if (!tiny) return [];
  const like = HUB_MODELS.find((m) => m.repo === tiny.like);
  if (!like) throw new Error(`${family.name}'s tiny model copies ${tiny.like}, which HUB_MODELS does not list.`);
  return [family.name, ...(tiny.alsoAs ?? [])].map((name) => ({ name, like, shrink: tiny.shrink }));
});
