/**
 * VisionEncoderDecoderModel(ViTModel, GPT2LMHeadModel) (nlpconnect/vit-gpt2-image-captioning) as transformers
 * names it: `encoder.*` is a ViT with its (unused) pooler, `decoder.transformer.*` a GPT-2 whose every block
 * has cross-attention. GPT-2's Conv1D weights are [in, out]. `decoder.lm_head.weight` is tied to
 * `decoder.transformer.wte.weight` and not stored by save_pretrained (GPT2_HEAD: other checkpoints store it).
 */
import { conv1d, conv2d, dim, dimOr, embedding, layerNorm, layoutChoice, linear, param, section, shrinkVision, TINY, type LayoutOption, type ParamSpec, type StandIn, type VisionStandInConfig, type StateDictOptions } from '../stand-in-spec';

export interface VitConfig extends VisionStandInConfig {
  /** Default true: query/key/value have biases. */
  qkv_bias?: boolean;
}

export interface Gpt2Config {
  vocab_size: number;
  n_embd: number;
  n_layer: number;
  n_positions: number;
  /** null → 4·n_embd. */
  n_inner?: number | null;
  add_cross_attention?: boolean;
  cross_attention_hidden_size?: number | null;
}

export interface VisionEncoderDecoderConfig {
  encoder: VitConfig;
  decoder: Gpt2Config;
}

/** ViTModel under `encoder` (add_pooling_layer=True, as VisionEncoderDecoderModel builds it). */
export function vitEncoder(vit: VitConfig): ParamSpec[] {
  const where = 'encoder';
  const hidden = dim(vit, 'hidden_size', where);
  const intermediate = dim(vit, 'intermediate_size', where);
  const patch = dim(vit, 'patch_size', where);
  const side = dim(vit, 'image_size', where) / patch;
  if (!Number.isInteger(side)) throw new Error(`${where}: image_size ${vit.image_size} is not a multiple of patch_size ${patch}.`);
  const qkvBias = vit.qkv_bias ?? true;
  const out: ParamSpec[] = [
    param('encoder.embeddings.cls_token', [1, 1, hidden]),
    param('encoder.embeddings.position_embeddings', [1, side * side + 1, hidden]),
    ...conv2d('encoder.embeddings.patch_embeddings.projection', dimOr(vit, 'num_channels', 3, where), hidden, patch),
  ];
  for (let i = 0; i < dim(vit, 'num_hidden_layers', where); i++) {
    const p = `encoder.encoder.layer.${i}`;
    for (const proj of ['query', 'key', 'value']) out.push(...linear(`${p}.attention.attention.${proj}`, hidden, hidden, qkvBias));
    out.push(...linear(`${p}.attention.output.dense`, hidden, hidden));
    out.push(...linear(`${p}.intermediate.dense`, hidden, intermediate), ...linear(`${p}.output.dense`, intermediate, hidden));
    out.push(...layerNorm(`${p}.layernorm_before`, hidden), ...layerNorm(`${p}.layernorm_after`, hidden));
  }
  out.push(...layerNorm('encoder.layernorm', hidden), ...linear('encoder.pooler.dense', hidden, hidden));
  return out;
}

export type Gpt2Head = 'wte' | 'lm_head' | 'both';

/** Where GPT-2's tied embedding is stored: the generator's `--gpt2-head`, read by gpt2Decoder. */
export const GPT2_HEAD = {
  flag: 'gpt2-head',
  values: ['wte', 'lm_head', 'both'] as const satisfies readonly [Gpt2Head, ...Gpt2Head[]],
  help: "where GPT-2's tied embedding is stored: decoder.transformer.wte.weight (save_pretrained), decoder.lm_head.weight only (as some of the Hub bot's conversions keep it) or both",
} satisfies LayoutOption;

/** GPT2Attention's causal-mask buffers (registered in cross-attention too, where they are unused). */
function gpt2AttentionBuffers(prefix: string, positions: number): ParamSpec[] {
  return [param(`${prefix}.bias`, [1, 1, positions, positions], { kind: 'causal-mask' }), param(`${prefix}.masked_bias`, [], { kind: 'constant', value: -1e4 })];
}

/** GPT2LMHeadModel with add_cross_attention under `decoder` (lm_head tied: stored as GPT2_HEAD in `options.layout` says, by default absent). */
export function gpt2Decoder(gpt2: Gpt2Config, options: StateDictOptions = {}): ParamSpec[] {
  const where = 'decoder';
  const E = dim(gpt2, 'n_embd', where);
  const V = dim(gpt2, 'vocab_size', where);
  const inner = gpt2.n_inner == null ? 4 * E : dim(gpt2, 'n_inner', where);
  const cross = gpt2.add_cross_attention ?? false;
  const positions = dim(gpt2, 'n_positions', where);
  const head = layoutChoice(options, GPT2_HEAD) as Gpt2Head;
  const out: ParamSpec[] = [
    ...(head === 'lm_head' ? [] : embedding('decoder.transformer.wte', V, E)),
    ...embedding('decoder.transformer.wpe', positions, E),
  ];
  for (let i = 0; i < dim(gpt2, 'n_layer', where); i++) {
    const p = `decoder.transformer.h.${i}`;
    out.push(...layerNorm(`${p}.ln_1`, E));
    out.push(...conv1d(`${p}.attn.c_attn`, E, 3 * E), ...conv1d(`${p}.attn.c_proj`, E, E)); // c_attn packs q|k|v
    if (options.legacyBuffers) out.push(...gpt2AttentionBuffers(`${p}.attn`, positions));
    if (cross) {
      out.push(...conv1d(`${p}.crossattention.c_attn`, E, 2 * E)); // k|v of the encoder states
      out.push(...conv1d(`${p}.crossattention.q_attn`, E, E), ...conv1d(`${p}.crossattention.c_proj`, E, E));
      out.push(...layerNorm(`${p}.ln_cross_attn`, E));
      if (options.legacyBuffers) out.push(...gpt2AttentionBuffers(`${p}.crossattention`, positions));
    }
    out.push(...layerNorm(`${p}.ln_2`, E));
    out.push(...conv1d(`${p}.mlp.c_fc`, E, inner), ...conv1d(`${p}.mlp.c_proj`, inner, E));
  }
  out.push(...layerNorm('decoder.transformer.ln_f', E));
  if (head !== 'wte') out.push(param('decoder.lm_head.weight', [V, E]));
  return out;
}

/** Every entry of VisionEncoderDecoderModel.state_dict() as save_pretrained stores it (plus GPT-2's legacy buffers if asked). */
export function vitGpt2StateDict(config: VisionEncoderDecoderConfig, options: StateDictOptions = {}): ParamSpec[] {
  const encoder = section(config, 'encoder', 'config') as VitConfig;
  const decoder = section(config, 'decoder', 'config') as Gpt2Config;
  const encoderHidden = dim(encoder, 'hidden_size', 'encoder');
  const decoderHidden = dim(decoder, 'n_embd', 'decoder');
  return [
    ...vitEncoder(encoder),
    ...gpt2Decoder(decoder, options),
    // Only when the widths differ and the decoder has no cross_attention_hidden_size: not the case for nlpconnect.
    ...(encoderHidden !== decoderHidden && decoder.cross_attention_hidden_size == null
      ? linear('enc_to_dec_proj', encoderHidden, decoderHidden)
      : []),
  ];
}

export const standIn: StandIn = {
  stateDict: (config, options) => vitGpt2StateDict(config as unknown as VisionEncoderDecoderConfig, options),
  layouts: [GPT2_HEAD],
  tiny: {
    like: 'nlpconnect/vit-gpt2-image-captioning',
    shrink: ({ config, preprocessor, generation }) => ({
      config: {
        ...config,
        encoder: shrinkVision(config.encoder as Record<string, unknown>),
        decoder: {
          ...(config.decoder as Record<string, unknown>),
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
};
