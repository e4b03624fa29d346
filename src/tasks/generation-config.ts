/**
 * A checkpoint's generation_config.json merged with the caller's options, with transformers'
 * GenerationConfig defaults for anything neither gives.
 */
import { IrisError } from '../errors';
import type { GenerationOptions } from '../nn/generate';
import type { Json } from '../nn/config';

export interface CaptionOptions {
  numBeams?: number;
  maxNewTokens?: number;
  minLength?: number;
  lengthPenalty?: number;
  earlyStopping?: boolean | 'never';
  noRepeatNgramSize?: number;
  repetitionPenalty?: number;
}

const num = (json: Json, key: string): number | undefined => (typeof json[key] === 'number' ? (json[key] as number) : undefined);

export function resolveGeneration(json: Json, user: CaptionOptions, promptLength: number, fallbackEos: number[]): Omit<GenerationOptions, 'onStep' | 'signal'> {
  const eos = json.eos_token_id;
  const eosTokenIds = Array.isArray(eos) ? (eos as number[]) : typeof eos === 'number' ? [eos] : fallbackEos;
  const maxLength = num(json, 'max_length') ?? 20;
  const options = {
    maxNewTokens: user.maxNewTokens ?? num(json, 'max_new_tokens') ?? Math.max(1, maxLength - promptLength),
    numBeams: user.numBeams ?? num(json, 'num_beams') ?? 1,
    minLength: user.minLength ?? num(json, 'min_length') ?? 0,
    lengthPenalty: user.lengthPenalty ?? num(json, 'length_penalty') ?? 1,
    earlyStopping: user.earlyStopping ?? (json.early_stopping as boolean | 'never' | undefined) ?? false,
    noRepeatNgramSize: user.noRepeatNgramSize ?? num(json, 'no_repeat_ngram_size') ?? 0,
    repetitionPenalty: user.repetitionPenalty ?? num(json, 'repetition_penalty') ?? 1,
    eosTokenIds,
  };
  if (!(options.maxNewTokens >= 1 && options.maxNewTokens <= 512)) throw new IrisError('bad-input', `maxNewTokens must be between 1 and 512, got ${options.maxNewTokens}.`);
  if (!(options.numBeams >= 1 && options.numBeams <= 16 && Number.isInteger(options.numBeams))) throw new IrisError('bad-input', `numBeams must be an integer from 1 to 16, got ${options.numBeams}.`);
  if (!(options.repetitionPenalty > 0)) throw new IrisError('bad-input', `repetitionPenalty must be positive, got ${options.repetitionPenalty}.`);
  return options;
}
