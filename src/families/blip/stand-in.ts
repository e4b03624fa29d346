/**
 * BlipForConditionalGeneration and BlipForQuestionAnswering as transformers' modeling_blip.py /
 * modeling_blip_text.py name them: `vision_model` (BlipVisionModel: patch conv with bias, class and position
 * embeddings as bare parameters, fused qkv, post_layernorm), `text_decoder` (BlipTextLMHeadModel: `bert` with
 * cross-attention in every layer, and `cls.predictions`, whose decoder weight/bias are tied and not saved) and,
 * for VQA, `text_encoder` (BlipTextModel without pooler).
 */
import { conv2d, dim, dimOr, embedding, layerNorm, linear, param, positionIds, section, type ParamSpec, type StandIn, type StateDictOptions } from '../stand-in-spec';

type Json = Record<string, unknown>;

/** BlipVisionModel under `vision_model`. */
function blipVision(vision: Json): ParamSpec[] {
  const where = 'vision_config';
  const hidden = dim(vision, 'hidden_size', where);
  const intermediate = dim(vision, 'intermediate_size', where);
  const patch = dimOr(vision, 'patch_size', 16, where);
  const side = dimOr(vision, 'image_size', 384, where) / patch;
  if (!Number.isInteger(side)) throw new Error(`${where}: image_size is not a multiple of patch_size ${patch}.`);
  const out: ParamSpec[] = [
    param('vision_model.embeddings.class_embedding', [1, 1, hidden]),
    param('vision_model.embeddings.position_embedding', [1, side * side + 1, hidden]),
    ...conv2d('vision_model.embeddings.patch_embedding', dimOr(vision, 'num_channels', 3, where), hidden, patch),
  ];
  for (let i = 0; i < dim(vision, 'num_hidden_layers', where); i++) {
    const p = `vision_model.encoder.layers.${i}`;
    out.push(...linear(`${p}.self_attn.qkv`, hidden, 3 * hidden), ...linear(`${p}.self_attn.projection`, hidden, hidden));
    out.push(...layerNorm(`${p}.layer_norm1`, hidden));
    out.push(...linear(`${p}.mlp.fc1`, hidden, intermediate), ...linear(`${p}.mlp.fc2`, intermediate, hidden));
    out.push(...layerNorm(`${p}.layer_norm2`, hidden));
  }
  out.push(...layerNorm('vision_model.post_layernorm', hidden));
  return out;
}

/** BlipTextModel under `prefix` (`text_encoder`, or `text_decoder.bert`): embeddings and layers with cross-attention. */
function blipText(prefix: string, text: Json, options: StateDictOptions): ParamSpec[] {
  const where = 'text_config';
  const hidden = dimOr(text, 'hidden_size', 768, where);
  const intermediate = dimOr(text, 'intermediate_size', 3072, where);
  const memory = dimOr(text, 'encoder_hidden_size', 768, where);
  const positions = dimOr(text, 'max_position_embeddings', 512, where);
  const out: ParamSpec[] = [
    ...embedding(`${prefix}.embeddings.word_embeddings`, dimOr(text, 'vocab_size', 30524, where), hidden),
    ...embedding(`${prefix}.embeddings.position_embeddings`, positions, hidden),
    ...layerNorm(`${prefix}.embeddings.LayerNorm`, hidden),
    ...(options.legacyBuffers ? [positionIds(`${prefix}.embeddings.position_ids`, positions)] : []),
  ];
  for (let i = 0; i < dimOr(text, 'num_hidden_layers', 12, where); i++) {
    const p = `${prefix}.encoder.layer.${i}`;
    for (const [block, keyWidth] of [['attention', hidden], ['crossattention', memory]] as const) {
      out.push(...linear(`${p}.${block}.self.query`, hidden, hidden));
      out.push(...linear(`${p}.${block}.self.key`, keyWidth, hidden), ...linear(`${p}.${block}.self.value`, keyWidth, hidden));
      out.push(...linear(`${p}.${block}.output.dense`, hidden, hidden), ...layerNorm(`${p}.${block}.output.LayerNorm`, hidden));
    }
    out.push(...linear(`${p}.intermediate.dense`, hidden, intermediate));
    out.push(...linear(`${p}.output.dense`, intermediate, hidden), ...layerNorm(`${p}.output.LayerNorm`, hidden));
  }
  return out;
}

/** Every saved entry of BlipForConditionalGeneration / BlipForQuestionAnswering (by `architectures`). */
export function blipStateDict(config: Json, options: StateDictOptions = {}): ParamSpec[] {
  const vision = section(config, 'vision_config', 'config') as Json;
  const text = section(config, 'text_config', 'config') as Json;
  const hidden = dimOr(text, 'hidden_size', 768, 'text_config');
  const vqa = Array.isArray(config.architectures) && config.architectures.includes('BlipForQuestionAnswering');
  return [
    ...blipVision(vision),
    ...(vqa ? blipText('text_encoder', text, options) : []),
    ...blipText('text_decoder.bert', text, options),
    // BertLMPredictionHead: transform (dense, act, LayerNorm) and the bias of the tied decoder.
    ...linear('text_decoder.cls.predictions.transform.dense', hidden, hidden),
    ...layerNorm('text_decoder.cls.predictions.transform.LayerNorm', hidden),
    param('text_decoder.cls.predictions.bias', [dimOr(text, 'vocab_size', 30524, 'text_config')], { kind: 'normal', mean: 0, std: 0.02 }),
  ];
}

export const standIn: StandIn = {
  stateDict: (config, options) => blipStateDict(config, options),
};
