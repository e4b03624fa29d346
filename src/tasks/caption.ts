/**
 * Image captioning with either family: preprocess per the checkpoint's preprocessor_config.json, start a
 * decoder session over the image, decode with greedy or beam search, and stream the text so far.
 */
import type { PreprocessConfig } from '../image/preprocess';
import { preprocess } from '../image/preprocess';
import type { RgbaImage } from '../image/rgba-image';
import { generate, type DecoderSession } from '../models/generate';
import { GitCaptionSession, type GitModel } from '../models/git';
import { VitGpt2CaptionSession, type VitGpt2Model } from '../models/vit-gpt2';
import type { Json } from '../models/config';
import type { Tokenizer } from '../tokenizers';
import { resolveGeneration, type CaptionOptions } from './generation-config';

export interface CaptionRequest extends CaptionOptions {
  /** Called with the caption so far after every decoding step. */
  onToken?: (text: string) => void;
  signal?: AbortSignal;
}

export interface CaptionResult {
  text: string;
  ids: number[];
  /** Milliseconds: the whole call, and per generated token after the first. */
  totalMs: number;
  tokens: number;
}

export type CaptionModel = { family: 'git'; model: GitModel } | { family: 'vit-gpt2'; model: VitGpt2Model };

export class Captioner {
  constructor(
    /** The model itself (benchmarks time its encoder alone). */
    readonly captionModel: CaptionModel,
    private readonly tokenizer: Tokenizer,
    private readonly preprocessConfig: PreprocessConfig,
    private readonly generationConfig: Json,
  ) {}

  /** The prompt: [CLS] for GIT, decoder_start_token_id for ViT-GPT2. */
  private prompt(): number[] {
    const c = this.captionModel;
    return c.family === 'git' ? [c.model.config.bosTokenId] : [c.model.config.decoderStartTokenId];
  }

  private session(pixels: Float32Array, maxTokens: number): DecoderSession & { dispose(): void } {
    const c = this.captionModel;
    return c.family === 'git' ? new GitCaptionSession(c.model, pixels, maxTokens) : new VitGpt2CaptionSession(c.model, pixels, maxTokens);
  }

  async caption(image: RgbaImage, request: CaptionRequest = {}): Promise<CaptionResult> {
    const start = performance.now();
    const prompt = this.prompt();
    const options = resolveGeneration(this.generationConfig, request, prompt.length, [this.captionModel.model.config.eosTokenId]);
    const pixels = preprocess(image, this.preprocessConfig);
    const session = this.session(pixels, prompt.length + options.maxNewTokens);
    const decode = (ids: readonly number[]) => this.tokenizer.decode(ids.slice(prompt.length), { skipSpecialTokens: true }).trim();
    try {
      const result = await generate(session, prompt, {
        ...options,
        signal: request.signal,
        onStep: request.onToken && ((ids) => request.onToken!(decode(ids))),
      });
      return { text: decode(result.ids), ids: result.ids, totalMs: performance.now() - start, tokens: result.ids.length - prompt.length };
    } finally {
      session.dispose();
    }
  }
}
