/**
 * The Vision Transformer image encoder shared by CLIP, GIT and ViT-GPT2 (Dosovitskiy et al. 2020):
 * split the image into p×p patches, embed each linearly, prepend a class token, add position
 * embeddings, and run pre-LN Transformer layers. CLIP and GIT add a LayerNorm before the layers
 * (`pre_layrnorm`, sic); the caller applies whatever comes after (post-LN on CLS or on all tokens).
 */
import { IrisError } from '../errors';
import { SpecCollector, type Recorder } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import { patchEmbed, visionEmbeddings } from '../kernels/embedding';
import type { Activation } from '../kernels/common';
import { activationOf, count, field, keyPath, requireDivisible, sectionName, type Json } from './config';
import type { AttentionCapture } from './attention-maps';
import type { ParameterSource } from './params';
import {
  applyLayerNorm, clipLayerNames, encoderLayer, loadEncoderLayer, loadLayerNorm, vitLayerNames,
  type EncoderLayer, type EncoderShape, type LayerNormParams,
} from './transformer';

export interface VisionConfig {
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  imageSize: number;
  patchSize: number;
  channels: number;
  eps: number;
  activation: Activation;
}

/**
 * The two vision towers of transformers that Iris reads, by module: CLIPVisionTransformer (CLIP, GIT, and
 * the other towers named like it: bias-free patch conv, pre_layrnorm) and ViTModel (HF ViT: conv bias, no
 * pre-LN). They differ in parameter names and in their config defaults.
 */
export type VisionLayout = 'CLIPVisionTransformer' | 'ViTModel';

/** A vision config class's defaults for the fields that differ between the classes (the activation by its config name). */
export interface VisionConfigDefaults {
  imageSize: number;
  patchSize: number;
  eps: number;
  activation: string;
}

/** The defaults of the two layouts' config classes (CLIPVisionConfig, ViTConfig). */
const LAYOUT_DEFAULTS: Record<VisionLayout, VisionConfigDefaults> = {
  CLIPVisionTransformer: { imageSize: 224, patchSize: 32, eps: 1e-5, activation: 'quick_gelu' },
  ViTModel: { imageSize: 224, patchSize: 16, eps: 1e-12, activation: 'gelu' },
};

/**
 * CLIPVisionConfig / GitVisionConfig / ViTConfig, with each class's defaults (another tower's config class
 * gives its own). The width must split into the heads, and the image into whole patches.
 */
export function parseVisionConfig(c: Json, classDefaults: VisionLayout | VisionConfigDefaults): VisionConfig {
  const defaults = typeof classDefaults === 'string' ? LAYOUT_DEFAULTS[classDefaults] : classDefaults;
  const config: VisionConfig = {
    hidden: count(c, 'hidden_size', 768),
    intermediate: count(c, 'intermediate_size', 3072),
    layers: count(c, 'num_hidden_layers', 12),
    heads: count(c, 'num_attention_heads', 12),
    imageSize: count(c, 'image_size', defaults.imageSize),
    patchSize: count(c, 'patch_size', defaults.patchSize),
    channels: count(c, 'num_channels', 3),
    eps: field(c, 'layer_norm_eps', defaults.eps),
    activation: activationOf(field(c, 'hidden_act', defaults.activation), keyPath(c, 'hidden_act')),
  };
  requireDivisible(config.hidden, config.heads, sectionName(c));
  if (config.imageSize % config.patchSize !== 0) {
    throw new IrisError('bad-config', `${sectionName(c)}: image_size ${config.imageSize} is not a multiple of patch_size ${config.patchSize}.`);
  }
  return config;
}

export interface VisionTower {
  config: VisionConfig;
  patchWeight: Tensor;
  patchBias?: Tensor;
  classToken: Tensor;
  positions: Tensor;
  preLayerNorm?: LayerNormParams;
  layers: EncoderLayer[];
}

export const patchesPerImage = (c: VisionConfig) => (c.imageSize / c.patchSize) ** 2;

/**
 * `prefix` is e.g. "vision_model" (CLIP), "git.image_encoder.vision_model" (GIT) or "encoder" (ViT).
 * CLIP-style towers have a bias-free patch conv and pre_layrnorm; HF ViT has a conv bias and neither.
 */
export function loadVisionTower(p: ParameterSource, prefix: string, config: VisionConfig, layout: VisionLayout): VisionTower {
  const { hidden, channels, patchSize } = config;
  const tokens = patchesPerImage(config) + 1;
  if (layout === 'CLIPVisionTransformer') {
    return {
      config,
      patchWeight: p.upload(`${prefix}.embeddings.patch_embedding.weight`, [hidden, channels, patchSize, patchSize], 'matmul'),
      classToken: p.upload(`${prefix}.embeddings.class_embedding`, [hidden], 'f32'),
      positions: p.upload(`${prefix}.embeddings.position_embedding.weight`, [tokens, hidden], 'f32'),
      preLayerNorm: loadLayerNorm(p, `${prefix}.pre_layrnorm`, hidden, config.eps),
      layers: range(config.layers).map((i) => loadEncoderLayer(p, clipLayerNames(`${prefix}.encoder.layers.${i}`), config, config.eps)),
    };
  }
  return {
    config,
    patchWeight: p.upload(`${prefix}.embeddings.patch_embeddings.projection.weight`, [hidden, channels, patchSize, patchSize], 'matmul'),
    patchBias: p.upload(`${prefix}.embeddings.patch_embeddings.projection.bias`, [hidden], 'f32'),
    classToken: p.upload(`${prefix}.embeddings.cls_token`, [1, 1, hidden], 'f32').reshape([hidden]),
    positions: p.upload(`${prefix}.embeddings.position_embeddings`, [1, tokens, hidden], 'f32').reshape([tokens, hidden]),
    layers: range(config.layers).map((i) => loadEncoderLayer(p, vitLayerNames(`${prefix}.encoder.layer.${i}`), config, config.eps)),
  };
}

/**
 * pixels [B, 3, S, S] → hidden states [B, 1 + patches, hidden] after the last layer (no post-LN).
 * With `attentions`, the requested layers' probabilities are captured too (attention-maps.ts).
 */
export function encodeImage(rec: Recorder, tower: VisionTower, pixels: Tensor, batch: number, attentions?: AttentionCapture): Tensor {
  const shape: EncoderShape = tower.config;
  let x = rec.scope(() => {
    const patches = patchEmbed(rec, pixels, tower.patchWeight, tower.patchBias, tower.config.patchSize);
    const embeddings = visionEmbeddings(rec, patches, tower.classToken, tower.positions);
    return tower.preLayerNorm ? applyLayerNorm(rec, embeddings, tower.preLayerNorm) : embeddings;
  });
  const seq = patchesPerImage(tower.config) + 1;
  tower.layers.forEach((layer, l) => {
    x = encoderLayer(rec, layer, shape, x, batch, seq, undefined, attentions?.hook(rec, l));
  });
  return x;
}

/**
 * One preprocessed image [1, 3, S, S] uploaded in `rec`, its length checked against the model's input size
 * (a SpecCollector, which uploads nothing, takes any placeholder).
 */
export function pixelValues(rec: Recorder, pixels: Float32Array, imageSize: number, model: string): Tensor {
  const shape = [1, 3, imageSize, imageSize];
  if (!(rec instanceof SpecCollector) && pixels.length !== 3 * imageSize * imageSize) throw new IrisError('bad-input', `${model} expects pixel_values [${shape.join(', ')}], got ${pixels.length} values.`);
  return rec.upload(pixels, shape, 'f32', 'pixel_values');
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
