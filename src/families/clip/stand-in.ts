/**
 * CLIPModel (openai/clip-vit-base-patch32, -patch16) as transformers' modeling_clip.py names it: a text
 * transformer, a ViT with a class embedding and a bias-free patch conv, two bias-free projections and a scalar
 * logit_scale. `clipVisionTower` is shared with GIT, whose image encoder is the same module.
 */
import { conv2d, dim, dimOr, embedding, layerNorm, linear, param, positionIds, section, shrinkTower, shrinkVision, TINY, type ParamSpec, type StandIn, type VisionStandInConfig, type StateDictOptions } from '../stand-in-spec';

export interface ClipTextConfig {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  max_position_embeddings: number;
}

export type ClipVisionConfig = VisionStandInConfig;

export interface ClipConfig {
  projection_dim: number;
  text_config: ClipTextConfig;
  vision_config: ClipVisionConfig;
}

/** The real value of openai's checkpoints: ln(100), so exp(logit_scale) = 100. */
export const CLIP_LOGIT_SCALE = Math.log(100);

/** CLIPEncoderLayer × n: pre-LN attention with separate q/k/v/out projections, then the quick-GELU MLP. */
export function clipEncoder(prefix: string, hidden: number, intermediate: number, layers: number): ParamSpec[] {
  const out: ParamSpec[] = [];
  for (let i = 0; i < layers; i++) {
    const p = `${prefix}.layers.${i}`;
    for (const proj of ['k_proj', 'v_proj', 'q_proj', 'out_proj']) out.push(...linear(`${p}.self_attn.${proj}`, hidden, hidden));
    out.push(...layerNorm(`${p}.layer_norm1`, hidden));
    out.push(...linear(`${p}.mlp.fc1`, hidden, intermediate), ...linear(`${p}.mlp.fc2`, intermediate, hidden));
    out.push(...layerNorm(`${p}.layer_norm2`, hidden));
  }
  return out;
}

/** CLIPVisionTransformer under `prefix` (e.g. `vision_model`, or GIT's `git.image_encoder.vision_model`). */
export function clipVisionTower(prefix: string, vision: ClipVisionConfig, options: StateDictOptions = {}): ParamSpec[] {
  const where = `${prefix} config`;
  const hidden = dim(vision, 'hidden_size', where);
  const patch = dim(vision, 'patch_size', where);
  const channels = dimOr(vision, 'num_channels', 3, where);
  const side = dim(vision, 'image_size', where) / patch;
  if (!Number.isInteger(side)) throw new Error(`${where}: image_size ${vision.image_size} is not a multiple of patch_size ${patch}.`);
  const positions = side * side + 1;
  return [
    param(`${prefix}.embeddings.class_embedding`, [hidden]),
    ...conv2d(`${prefix}.embeddings.patch_embedding`, channels, hidden, patch, false),
    ...embedding(`${prefix}.embeddings.position_embedding`, positions, hidden),
    ...(options.legacyBuffers ? [positionIds(`${prefix}.embeddings.position_ids`, positions)] : []),
    ...layerNorm(`${prefix}.pre_layrnorm`, hidden), // sic: HF's parameter name
    ...clipEncoder(`${prefix}.encoder`, hidden, dim(vision, 'intermediate_size', where), dim(vision, 'num_hidden_layers', where)),
    ...layerNorm(`${prefix}.post_layernorm`, hidden),
  ];
}

/** CLIPTextTransformer under `text_model`. */
export function clipTextTower(text: ClipTextConfig, options: StateDictOptions = {}): ParamSpec[] {
  const where = 'text_config';
  const hidden = dim(text, 'hidden_size', where);
  const positions = dim(text, 'max_position_embeddings', where);
  return [
    ...embedding('text_model.embeddings.token_embedding', dim(text, 'vocab_size', where), hidden),
    ...embedding('text_model.embeddings.position_embedding', positions, hidden),
    ...(options.legacyBuffers ? [positionIds('text_model.embeddings.position_ids', positions)] : []),
    ...clipEncoder('text_model.encoder', hidden, dim(text, 'intermediate_size', where), dim(text, 'num_hidden_layers', where)),
    ...layerNorm('text_model.final_layer_norm', hidden),
  ];
}

/** Every entry of CLIPModel.state_dict() (plus the legacy position_ids buffers if asked). */
export function clipStateDict(config: ClipConfig, options: StateDictOptions = {}): ParamSpec[] {
  const text = section(config, 'text_config', 'config') as ClipTextConfig;
  const vision = section(config, 'vision_config', 'config') as ClipVisionConfig;
  const projection = dim(config, 'projection_dim', 'config');
  return [
    ...clipTextTower(text, options),
    ...clipVisionTower('vision_model', vision, options),
    ...linear('visual_projection', dim(vision, 'hidden_size', 'vision_config'), projection, false),
    ...linear('text_projection', dim(text, 'hidden_size', 'text_config'), projection, false),
    param('logit_scale', [], { kind: 'constant', value: CLIP_LOGIT_SCALE }),
  ];
}

export const standIn: StandIn = {
  stateDict: (config, options) => clipStateDict(config as unknown as ClipConfig, options),
  tiny: {
    like: 'openai/clip-vit-base-patch16',
    shrink: ({ config, preprocessor }) => ({
      config: {
        ...config,
        _name_or_path: 'iris/tiny-clip',
        projection_dim: TINY.hidden,
        text_config: { ...shrinkTower(config.text_config as Record<string, unknown>), projection_dim: TINY.hidden },
        vision_config: { ...shrinkVision(config.vision_config as Record<string, unknown>), projection_dim: TINY.hidden },
      },
      preprocessor: { ...preprocessor, size: TINY.image, crop_size: TINY.image },
    }),
  },
};
