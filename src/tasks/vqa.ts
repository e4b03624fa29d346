/**
 * Visual question answering with any image-and-question-conditioned decoder: preprocess the image per the
 * checkpoint's preprocessor_config.json, let the family turn the question into its inputs, decode the
 * answer with greedy or beam search, and stream the answer so far. The family supplies a VqaModel; nothing
 * here knows which one it is.
 *
 * Families differ in where the question goes. GIT puts it in the prompt ([CLS] + word pieces, no [SEP]) and
 * the answer is the prompt's continuation; BLIP encodes it (question encoder over the image) and starts the
 * answer decoder from its bos. Both fit one shape: for a question, the model gives a CaptionDecoder (whose
 * image memory may also hold the encoded question) and the prompt the answer continues.
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
import type { CaptionAttention, CaptionToken } from './caption';
import { captionTokens } from './caption';
import { resolveGeneration, type StreamedRequest } from './generation-config';

/** A question's request. Its attention maps are per answer token (see VqaModel.attention for what they are). */
export type AnswerRequest = StreamedRequest;

/** What QuestionAnswerer.ask returns (the worker turns it into the API's AnswerResult). */
export interface GeneratedAnswer {
  /** The answer text (special tokens dropped, trimmed). */
  text: string;
  /** The question as the model read it (GIT: [CLS] + word pieces; BLIP: [CLS] … [SEP]). */
  questionIds: number[];
  /** The answer's ids: what followed the decoder's prompt, the EOS included where produced. */
  answerIds: number[];
  /** Milliseconds: the whole call, and until the first answer token was known. */
  totalMs: number;
  firstTokenMs: number;
  /** Answer tokens generated (answerIds.length). */
  tokens: number;
  /** With `attentionMaps`: per answer token, its attention to the image patches [answer tokens][patches]. */
  tokenAttentions?: number[][];
  /** With `attentionMaps`: the image encoder's class-token attention rollout, [patches]. */
  imageRollout?: number[];
  /** With `attentionMaps`: the answer tokens as text, one per row of `tokenAttentions`. */
  answerTokens?: CaptionToken[];
}

/** The decoding inputs of one question. */
export interface AnswerDecoding {
  /** The decoder that generates the answer (its image memory may also encode the question). */
  decoder: CaptionDecoder;
  /** The ids the answer continues (GIT: the question ids themselves; BLIP: the answer decoder's bos). */
  prompt: number[];
  /** Decoder positions the prompt and the answer may use in all (the answer is cut to fit). */
  maxTokens: number;
}

/** What a family gives the question answerer. */
export interface VqaModel {
  /**
   * The question as the model reads it, from the tokenizer's word pieces (GIT: [CLS] + pieces, no [SEP];
   * BLIP: [CLS] + pieces + [SEP]). Throws IrisError('bad-input') when it does not fit the model's positions.
   */
  questionIds(question: string, tokenizer: Tokenizer): number[];
  /** Longest question (ids from questionIds) the model reads, leaving room for at least one answer token. */
  readonly maxQuestionTokens: number;
  /** The decoder, prompt and position budget for one question. */
  decoding(questionIds: readonly number[]): AnswerDecoding;
  /** End of sequence where generation_config.json names none. */
  readonly eosTokenId: number;
  /**
   * Attention maps of one question and answer over preprocessed pixels [1, 3, S, S]: one teacher-forced pass.
   * `ids` = the decoding's prompt, then the answer ids. positions[t] = the attention from position t of `ids`
   * to the image patches, mean over heads, of layer `layer` (GIT: text → image tokens; an encoder-decoder says
   * in its family which chain it follows).
   */
  attention(pixels: Float32Array, questionIds: readonly number[], ids: readonly number[], layer: number): Promise<CaptionAttention>;
  /** Every pipeline an answering request runs (compiled at load). */
  kernelSpecs(): ShaderSpec[];
}

export class QuestionAnswerer {
  constructor(
    /** The model itself (benchmarks time its parts). */
    readonly vqaModel: VqaModel,
    private readonly tokenizer: Tokenizer,
    readonly preprocessConfig: PreprocessConfig,
    private readonly generationConfig: Json,
  ) {}

  kernelSpecs(): ShaderSpec[] {
    return this.vqaModel.kernelSpecs();
  }

  /** The question as the model reads it; a typed error for an empty one or one too long for the model. */
  questionIds(question: string): number[] {
    checkQuestion(question);
    const ids = this.vqaModel.questionIds(question, this.tokenizer);
    if (ids.length > this.vqaModel.maxQuestionTokens) {
      throw new IrisError('bad-input', `The question is ${ids.length} tokens long; this model reads at most ${this.vqaModel.maxQuestionTokens}.`, { hint: 'Ask a shorter question.' });
    }
    return ids;
  }

  /** Each answer token's part of the answer text (see captionTokens). */
  answerTokens(answerIds: readonly number[]): CaptionToken[] {
    return captionTokens(this.tokenizer, answerIds);
  }

  async ask(image: RgbaImage, question: string, request: AnswerRequest = {}): Promise<GeneratedAnswer> {
    const start = performance.now();
    const questionIds = this.questionIds(question);
    const { decoder, prompt, maxTokens } = this.vqaModel.decoding(questionIds);
    const options = resolveGeneration(this.generationConfig, request, prompt.length, [this.vqaModel.eosTokenId]);
    // The answer cannot run past the decoder's positions: cut maxNewTokens to what is left.
    options.maxNewTokens = Math.max(1, Math.min(options.maxNewTokens, maxTokens - prompt.length));
    const pixels = preprocess(image, this.preprocessConfig);
    const session = new CaptionSession(decoder, pixels, prompt.length + options.maxNewTokens);
    const decode = (ids: readonly number[]) => this.tokenizer.decode(ids.slice(prompt.length), { skipSpecialTokens: true }).trim();
    let firstTokenMs = 0;
    try {
      const result = await generate(session, prompt, {
        ...options,
        signal: request.signal,
        onStep: (ids) => {
          if (!firstTokenMs) firstTokenMs = performance.now() - start;
          request.onToken?.(decode(ids));
        },
      });
      const answerIds = result.ids.slice(prompt.length);
      const out: GeneratedAnswer = {
        text: decode(result.ids), questionIds, answerIds, totalMs: performance.now() - start,
        firstTokenMs: firstTokenMs || performance.now() - start, tokens: answerIds.length,
      };
      if (request.attentionMaps) {
        throwIfAborted(request.signal, 'Answering');
        const layer = typeof request.attentionMaps === 'object' ? request.attentionMaps.layer ?? -1 : -1;
        const maps = await this.vqaModel.attention(pixels, questionIds, result.ids, layer);
        out.tokenAttentions = maps.positions.slice(prompt.length);
        out.imageRollout = maps.imageRollout;
        out.answerTokens = this.answerTokens(answerIds);
        out.totalMs = performance.now() - start;
      }
      return out;
    } finally {
      session.dispose();
    }
  }
}

/** Rejects an empty or whitespace-only question (the API checks this before any download). */
export function checkQuestion(question: unknown): asserts question is string {
  if (typeof question !== 'string' || question.trim() === '') {
    throw new IrisError('bad-input', 'The question is empty.', { hint: 'Pass a question in words, e.g. "what is in the picture?".' });
  }
}
