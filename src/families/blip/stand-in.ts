/**
 * BlipForConditionalGeneration and BlipForQuestionAnswering as transformers' modeling_blip.py /
 * modeling_blip_text.py name them: `vision_model` (BlipVisionModel: patch conv with bias, class and position
 * embeddings as bare parameters, fused qkv, post_layernorm), `text_decoder` (BlipTextLMHeadModel: `bert` with
 * cross-attention in every layer, and `cls.predictions`, whose decoder weight/bias are tied and not saved) and,
 * for VQA, `text_encoder` (BlipTextModel without pooler).
 */
import { conv2d, dim, dimOr, embedding, layerNorm, linear, param, positionIds, section, TINY, type ParamSpec, type StandIn, type StandInFiles, type StateDictOptions } from '../stand-in-spec';

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

/**
 * The tiny demo models shrink the layout of the golden tiny BLIP configs (../shared/golden/blip/config.json,
 * golden/blip-vqa/config.json: which fields a saved BlipConfig has, vision and text towers with the
 * cross-attention width equal to the vision width) to the TINY sizes, and keep the real tokenizer:
 * bert-base-uncased's vocab.txt plus [DEC] (30522, the decoder's bos) and [ENC] (30523), as Salesforce/blip-*
 * ship it, so vocab_size is 30524 and the special ids are BLIP's. They copy no Hub checkpoint (none of
 * Salesforce's is kept in scripts/models/hub), so nothing here claims a published value; the image processor
 * is BlipImageProcessor's class defaults (OpenAI CLIP mean/std, bicubic) at the tiny image size.
 */
function tinyBlipFiles(architecture: 'BlipForConditionalGeneration' | 'BlipForQuestionAnswering'): StandInFiles {
  const bert = { vocab: 30522, pad: 0, sep: 102 };
  const decoderBos = bert.vocab; // [DEC], the first id after bert's vocabulary
  const text = {
    model_type: 'blip_text_model',
    vocab_size: bert.vocab + 2,
    hidden_size: TINY.hidden,
    intermediate_size: TINY.mlp,
    num_hidden_layers: TINY.layers,
    num_attention_heads: TINY.heads,
    encoder_hidden_size: TINY.hidden,
    max_position_embeddings: 512,
    hidden_act: 'gelu',
    layer_norm_eps: 1e-12,
    bos_token_id: decoderBos,
    pad_token_id: bert.pad,
    sep_token_id: bert.sep,
    use_cache: true,
  };
  const vision = {
    model_type: 'blip_vision_model',
    hidden_size: TINY.hidden,
    intermediate_size: TINY.mlp,
    num_hidden_layers: TINY.layers,
    num_attention_heads: TINY.heads,
    image_size: TINY.image,
    patch_size: TINY.patch,
    hidden_act: 'gelu',
    layer_norm_eps: 1e-5,
  };
  return {
    config: { architectures: [architecture], model_type: 'blip', projection_dim: TINY.hidden, image_text_hidden_size: TINY.hidden, text_config: text, vision_config: vision },
    preprocessor: {
      image_processor_type: 'BlipImageProcessor',
      processor_class: 'BlipProcessor',
      do_resize: true,
      size: { height: TINY.image, width: TINY.image },
      resample: 3,
      do_rescale: true,
      rescale_factor: 1 / 255,
      do_normalize: true,
      image_mean: [0.48145466, 0.4578275, 0.40821073],
      image_std: [0.26862954, 0.26130258, 0.27577711],
      do_convert_rgb: true,
    },
    generation: { bos_token_id: decoderBos, eos_token_id: bert.sep, pad_token_id: bert.pad },
  };
}

export const standIn: StandIn = {
  stateDict: (config, options) => blipStateDict(config, options),
  tiny: {
    own: { blip: tinyBlipFiles('BlipForConditionalGeneration'), 'blip-vqa': tinyBlipFiles('BlipForQuestionAnswering') },
    tokenizer: 'bert',
  },
};
