/**
 * GitForCausalLM (microsoft/git-base-coco) as transformers' modeling_git.py names it: a CLIP ViT image encoder,
 * a Linear+LayerNorm visual projection, a BERT-style text decoder (post-LN) and an untied `output` head.
 */
import { clipVisionTower, type ClipVisionConfig } from '../clip/stand-in';
import { dim, embedding, layerNorm, linear, param, positionIds, section, shrinkTower, shrinkVision, TINY, type ParamSpec, type StandIn, type StateDictOptions } from '../stand-in-spec';

export interface GitConfig {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  max_position_embeddings: number;
  /** "absolute" (the default) has learned position embeddings; GIT's relative variants are not supported. */
  position_embedding_type?: string;
  /** Video checkpoints (vatex, msrvtt) have one temporal embedding per frame; null for image models. */
  num_image_with_embedding?: number | null;
  vision_config: ClipVisionConfig;
}

/** GitLayer × n: BertSelfAttention-style query/key/value, post-LN output blocks, GELU intermediate. */
function gitEncoder(hidden: number, intermediate: number, layers: number): ParamSpec[] {
  const out: ParamSpec[] = [];
  for (let i = 0; i < layers; i++) {
    const p = `git.encoder.layer.${i}`;
    for (const proj of ['query', 'key', 'value']) out.push(...linear(`${p}.attention.self.${proj}`, hidden, hidden));
    out.push(...linear(`${p}.attention.output.dense`, hidden, hidden), ...layerNorm(`${p}.attention.output.LayerNorm`, hidden));
    out.push(...linear(`${p}.intermediate.dense`, hidden, intermediate));
    out.push(...linear(`${p}.output.dense`, intermediate, hidden), ...layerNorm(`${p}.output.LayerNorm`, hidden));
  }
  return out;
}

/** Every entry of GitForCausalLM.state_dict() (plus the legacy position_ids buffers if asked). */
export function gitStateDict(config: GitConfig, options: StateDictOptions = {}): ParamSpec[] {
  const vision = section(config, 'vision_config', 'config') as ClipVisionConfig;
  const hidden = dim(config, 'hidden_size', 'config');
  const vocab = dim(config, 'vocab_size', 'config');
  const positions = dim(config, 'max_position_embeddings', 'config');
  const positionType = config.position_embedding_type ?? 'absolute';
  if (positionType !== 'absolute') throw new Error(`config.position_embedding_type "${positionType}" is not supported (only "absolute").`);
  const frames = config.num_image_with_embedding == null ? 0 : dim(config, 'num_image_with_embedding', 'config');
  const visionHidden = dim(vision, 'hidden_size', 'vision_config');
  return [
    ...embedding('git.embeddings.word_embeddings', vocab, hidden),
    ...embedding('git.embeddings.position_embeddings', positions, hidden),
    ...(options.legacyBuffers ? [positionIds('git.embeddings.position_ids', positions)] : []),
    ...layerNorm('git.embeddings.LayerNorm', hidden),
    ...clipVisionTower('git.image_encoder.vision_model', vision, options),
    ...gitEncoder(hidden, dim(config, 'intermediate_size', 'config'), dim(config, 'num_hidden_layers', 'config')),
    // nn.Sequential(Linear(vision_hidden, hidden), LayerNorm(hidden)), itself an attribute named visual_projection.
    ...linear('git.visual_projection.visual_projection.0', visionHidden, hidden),
    ...layerNorm('git.visual_projection.visual_projection.1', hidden),
    // sic "temperal"; sized by the vision hidden size (equal to the text one in every GIT checkpoint).
    ...Array.from({ length: frames }, (_, i) => param(`git.img_temperal_embedding.${i}`, [1, 1, visionHidden])),
    ...linear('output', hidden, vocab),
  ];
}

export const standIn: StandIn = {
  stateDict: (config, options) => gitStateDict(config as unknown as GitConfig, options),
  tiny: {
    like: 'microsoft/git-base-coco',
    shrink: ({ config, preprocessor, generation }) => ({
      config: { ...shrinkTower(config), vision_config: shrinkVision(config.vision_config as Record<string, unknown>) },
      preprocessor: { ...preprocessor, size: { shortest_edge: TINY.image }, crop_size: { height: TINY.image, width: TINY.image } },
      ...(generation && { generation }),
    }),
    // GIT answers questions with the same GitForCausalLM: the demo's VQA model is the same tiny checkpoint.
    alsoAs: ['git-vqa'],
  },
};
