/**
 * Image captioning with any image-conditioned decoder: preprocess per the checkpoint's
 * preprocessor_config.json, start a caption session over the image, decode with greedy or beam search, and
 * stream the text so far. The family supplies the model (a CaptionModel); nothing here knows which it is.
 */
import { IrisError, throwIfAborted } from '../errors';
import type { PreprocessConfig } from '../image/preprocess';
import { preprocess } from '../image/preprocess';
import type { RgbaImage } from '../image/rgba-image';
import type { ShaderSpec } from '../gpu/pipelines';
import { CaptionSession, type CaptionDecoder } from '../nn/caption-session';
import type { Json } from '../nn/config';
import { generate } from '../nn/generate';
import type { Tokenizer } from '../tokenizers';
import { resolveGeneration, type StreamedRequest } from './generation-config';

/**
 * A caption request. Its attention maps are the decoder's attention to the image patches (cross-attention,
 * or a decoder-only model's text → image attention), and the image encoder's class-token rollout.
 */
export interface CaptionRequest extends StreamedRequest {
  /**
   * Text the caption continues ("a picture of"), for models that take one (CaptionModel.textPrompt); the
   * caption's text starts with it, as transformers' BLIP decodes it. Leave it out for an unconditional caption.
   */
  prompt?: string;
  /** The model's id, named in error messages (the worker passes the one it loaded). */
  model?: string;
}

/** What Captioner.caption returns (the worker turns it into the API's CaptionResult). */
export interface GeneratedCaption {
  text: string;
  ids: number[];
  /** Milliseconds: the whole call, and per generated token after the first. */
  totalMs: number;
  tokens: number;
  /**
   * With `attentionMaps`: for each generated token (ids after the prompt, EOS included if produced), the
   * attention from that token's position to the image patches, averaged over heads: [tokens][patches] in
   * patch order (class-token column left out; not renormalised). attentionHeatMap() turns one into a grid.
   * (The step that chose token j queried from the position before it: that map is
   * [...promptAttentions, ...tokenAttentions][promptLength + j - 1], the convention of transformers'
   * generate(output_attentions=True).)
   */
  tokenAttentions?: number[][];
  /** With `attentionMaps`: the same for the prompt positions ([CLS] / decoder start): [prompt length][patches]. */
  promptAttentions?: number[][];
  /** With `attentionMaps`: the image encoder's class-token attention rollout, [patches]. */
  imageRollout?: number[];
  /** With `attentionMaps`: the generated tokens as text, one per row of `tokenAttentions`. */
  captionTokens?: CaptionToken[];
}

/** A generated token as it reads in the caption. */
export interface CaptionToken {
  id: number;
  /**
   * Its part of the decoded caption (the tokens' texts joined, then trimmed, are the caption): a leading
   * space starts a new word (" cat"), none continues one (GIT's "##s" adds "s"). Empty for special tokens.
   */
  text: string;
  /** [SEP], <|endoftext|> and the like: not part of the caption text. */
  special: boolean;
}

/** Attention maps of a caption (see GeneratedCaption): rows for every position of `ids`, prompt included. */
export interface CaptionAttention {
  positions: number[][];
  imageRollout: number[];
}

/** What a family gives the captioner: its decoder, its prompt, and its attention maps. */
export interface CaptionModel {
  readonly decoder: CaptionDecoder;
  /** The decoder's prompt ids ([CLS] for GIT, decoder_start_token_id for ViT-GPT2). */
  readonly prompt: readonly number[];
  /** End of sequence where generation_config.json names none. */
  readonly eosTokenId: number;
  /**
   * Models that continue a text prompt (BLIP): the decoder's prompt ids for `text`, starting with `prompt`'s
   * ids. Throws IrisError('bad-input') for a prompt that does not fit. Absent: the model takes no text prompt.
   */
  textPrompt?(text: string, tokenizer: Tokenizer): number[];
  /**
   * Attention maps for a token sequence over preprocessed pixels [1, 3, S, S]: one teacher-forced pass.
   * positions[t] = layer `layer`'s attention from position t of `ids` to the image patches, mean over heads.
   */
  attention(pixels: Float32Array, ids: readonly number[], layer: number): Promise<CaptionAttention>;
  /** Every pipeline a captioning request runs (compiled at load). */
  kernelSpecs(): ShaderSpec[];
}

export class Captioner {
  constructor(
    /** The model itself (benchmarks time its encoder alone). */
    readonly captionModel: CaptionModel,
    private readonly tokenizer: Tokenizer,
    readonly preprocessConfig: PreprocessConfig,
    private readonly generationConfig: Json,
  ) {}

  kernelSpecs(): ShaderSpec[] {
    return this.captionModel.kernelSpecs();
  }

  async caption(image: RgbaImage, request: CaptionRequest = {}): Promise<GeneratedCaption> {
    const start = performance.now();
    const prompt = this.promptIds(request.prompt);
    const options = resolveGeneration(this.generationConfig, request, prompt.length, [this.captionModel.eosTokenId]);
    const pixels = preprocess(image, this.preprocessConfig);
    const session = new CaptionSession(this.captionModel.decoder, pixels, prompt.length + options.maxNewTokens);
    // The text shown starts after the model's own start ids: a text prompt is part of the caption.
    const shownFrom = this.captionModel.prompt.length;
    const decode = (ids: readonly number[]) => this.tokenizer.decode(ids.slice(shownFrom), { skipSpecialTokens: true }).trim();
    try {
      const result = await generate(session, prompt, {
        ...options,
        modelName: request.model ? `The caption model ${request.model}` : 'The caption model',
        signal: request.signal,
        onStep: request.onToken && ((ids) => request.onToken!(decode(ids))),
      });
      const out: GeneratedCaption = { text: decode(result.ids), ids: result.ids, totalMs: performance.now() - start, tokens: result.ids.length - prompt.length };
      if (request.attentionMaps) {
        throwIfAborted(request.signal, 'Caption generation');
        const layer = typeof request.attentionMaps === 'object' ? request.attentionMaps.layer ?? -1 : -1;
        const maps = await this.captionModel.attention(pixels, result.ids, layer);
        out.promptAttentions = maps.positions.slice(0, prompt.length);
        out.tokenAttentions = maps.positions.slice(prompt.length);
        out.imageRollout = maps.imageRollout;
        out.captionTokens = this.captionTokens(result.ids.slice(prompt.length));
        out.totalMs = performance.now() - start;
      }
      return out;
    } finally {
      session.dispose();
    }
  }

  /** The decoder's prompt: the model's start ids, or those of a text prompt the caption continues. */
  promptIds(text: string | undefined): number[] {
    if (text === undefined) return [...this.captionModel.prompt];
    checkCaptionPrompt(text);
    if (!this.captionModel.textPrompt) {
      throw new IrisError('bad-input', 'This captioning model does not continue a text prompt.', { hint: 'Leave `prompt` out, or pick a captioning model that takes one.' });
    }
    return this.captionModel.textPrompt(text, this.tokenizer);
  }

  /** Each generated token's part of the caption (see the free function captionTokens). */
  captionTokens(generated: readonly number[]): CaptionToken[] {
    return captionTokens(this.tokenizer, generated);
  }
}

/**
 * Each generated token's part of the decoded text: the text that decoding up to it adds to decoding up to
 * the token before, so word pieces and byte-level merges read as they do in the text. Where decoding is
 * not prefix-stable (a character split over byte tokens), the text goes to the token that completes it.
 */
export function captionTokens(tokenizer: Tokenizer, generated: readonly number[]): CaptionToken[] {
  const decode = (ids: readonly number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
  const full = decode(generated);
  let end = 0;
  return generated.map((id, i) => {
    const special = decode([id]) === '' && tokenizer.decode([id]) !== '';
    const upTo = i === generated.length - 1 ? full : decode(generated.slice(0, i + 1));
    let common = 0;
    while (common < upTo.length && upTo[common] === full[common]) common++;
    const start = end;
    end = Math.max(end, common);
    return { id, text: full.slice(start, end), special };
  });
}

/** A caption prompt is text with words in it (checked before any download, and again by the captioner). */
export function checkCaptionPrompt(prompt: unknown): asserts prompt is string {
  if (typeof prompt !== 'string') throw new IrisError('bad-input', `The caption prompt is ${JSON.stringify(prompt) ?? String(prompt)}, not text.`, { hint: 'Pass text such as "a picture of", or leave `prompt` out.' });
  if (prompt.trim() === '') throw new IrisError('bad-input', 'The caption prompt is empty.', { hint: 'Pass text such as "a picture of", or leave `prompt` out for an unconditional caption.' });
}
