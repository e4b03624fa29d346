/**
 * ChineseCLIPModel (OFA-Sys/chinese-clip-vit-*) as transformers' modeling_chinese_clip.py names it: CLIP's
 * vision tower under `vision_model`, a BERT text encoder under `text_model` (no pooler: ChineseCLIPModel builds
 * it with add_pooling_layer=False), two bias-free projections and a scalar logit_scale.
 */
import { clipVisionTower, type ClipVisionConfig } from '../clip/stand-in';
import { dim, dimOr, embedding, layerNorm, linear, param, positionIds, section, shrinkTower, shrinkVision, TINY, type ParamSpec, type StandIn, type StateDictOptions } from '../stand-in-spec';

export interface ChineseClipTextConfig {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  max_position_embeddings: number;
  /** The class default is 2. */
  type_vocab_size?: number;
}

export interface ChineseClipConfig {
  projection_dim: number;
  text_config: ChineseClipTextConfig;
  vision_config: ClipVisionConfig;
}

/** The value ChineseCLIPConfig initialises logit_scale with (ln(1/0.07)); the released checkpoints trained it further. */
const LOGIT_SCALE_INIT = 2.6592;

/** BertLayer × n under `prefix`: query/key/value, post-LN attention output, GELU intermediate, post-LN output. */
export function bertEncoder(prefix: string, hidden: number, intermediate: number, layers: number): ParamSpec[] {
  const out: ParamSpec[] = [];
  for (let i = 0; i < layers; i++) {
    const p = `${prefix}.layer.${i}`;
    for (const proj of ['query', 'key', 'value']) out.push(...linear(`${p}.attention.self.${proj}`, hidden, hidden));
    out.push(...linear(`${p}.attention.output.dense`, hidden, hidden), ...layerNorm(`${p}.attention.output.LayerNorm`, hidden));
    out.push(...linear(`${p}.intermediate.dense`, hidden, intermediate));
    out.push(...linear(`${p}.output.dense`, intermediate, hidden), ...layerNorm(`${p}.output.LayerNorm`, hidden));
  }
  return out;
}

/** ChineseCLIPTextModel(add_pooling_layer=False) under `text_model`. */
function textTower(text: ChineseClipTextConfig, options: StateDictOptions): ParamSpec[] {
  const where = 'text_config';
  const hidden = dim(text, 'hidden_size', where);
  const positions = dim(text, 'max_position_embeddings', where);
  return [
    ...embedding('text_model.embeddings.word_embeddings', dim(text, 'vocab_size', where), hidden),
    ...embedding('text_model.embeddings.position_embeddings', positions, hidden),
    ...embedding('text_model.embeddings.token_type_embeddings', dimOr(text, 'type_vocab_size', 2, where), hidden),
    ...layerNorm('text_model.embeddings.LayerNorm', hidden),
    ...(options.legacyBuffers ? [positionIds('text_model.embeddings.position_ids', positions)] : []),
    ...bertEncoder('text_model.encoder', hidden, dim(text, 'intermediate_size', where), dim(text, 'num_hidden_layers', where)),
  ];
}

/** Every entry of ChineseCLIPModel.state_dict() (plus the legacy position_ids buffers if asked). */
export function chineseClipStateDict(config: ChineseClipConfig, options: StateDictOptions = {}): ParamSpec[] {
  const text = section(config, 'text_config', 'config') as ChineseClipTextConfig;
  const vision = section(config, 'vision_config', 'config') as ClipVisionConfig;
  const projection = dim(config, 'projection_dim', 'config');
  return [
    ...textTower(text, options),
    ...clipVisionTower('vision_model', vision, options),
    ...linear('visual_projection', dim(vision, 'hidden_size', 'vision_config'), projection, false),
    ...linear('text_projection', dim(text, 'hidden_size', 'text_config'), projection, false),
    param('logit_scale', [], { kind: 'constant', value: LOGIT_SCALE_INIT }),
  ];
}

export const standIn: StandIn = {
  stateDict: (config, options) => chineseClipStateDict(config as unknown as ChineseClipConfig, options),
  tiny: {
    like: 'OFA-Sys/chinese-clip-vit-base-patch16',
    shrink: ({ config, preprocessor }) => ({
      config: {
        ...config,
        _name_or_path: 'iris/tiny-chinese-clip',
        projection_dim: TINY.hidden,
        // The real vocabulary (21,128 pieces) and its 512 positions stay: the tiny model tokenizes real Chinese.
        text_config: shrinkTower(config.text_config as Record<string, unknown>),
        vision_config: { ...shrinkVision(config.vision_config as Record<string, unknown>), projection_dim: TINY.hidden },
      },
      preprocessor: { ...preprocessor, size: { height: TINY.image, width: TINY.image }, crop_size: { height: TINY.image, width: TINY.image } },
    }),
  },
};
