/**
 * A checkpoint's generation_config.json merged with the caller's options, with transformers'
 * GenerationConfig defaults for anything neither gives. Each value is checked where it comes from: a
 * caller's wrong option is 'bad-input', a checkpoint's wrong field is 'bad-config' (checked only where the
 * caller does not override it, so an option can work around a broken file).
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

/** What a streamed generating request (a caption, an answer) takes besides its decoding options. */
export interface StreamedRequest extends CaptionOptions {
  /** Called with the text so far after every decoding step. */
  onToken?: (text: string) => void;
  signal?: AbortSignal;
  /**
   * Also return attention maps (off by default; costs one extra teacher-forced pass over the finished text):
   * per generated token, its attention to the image patches in layer `layer` (default -1, the last),
   * averaged over heads. What that attention is depends on the family's decoder.
   */
  attentionMaps?: boolean | { layer?: number };
}

/** The longest caption and the widest beam a request may ask for (GPU memory and time grow with both). */
export const MAX_NEW_TOKENS = 512;
export const MAX_BEAMS = 16;

type Rule = { what: string; ok: (v: unknown) => boolean };

const wholeIn = (min: number, max: number): Rule => ({
  what: max === Infinity ? `a whole number, ${min} or more` : `a whole number from ${min} to ${max}`,
  ok: (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
});
const finite: Rule = { what: 'a finite number', ok: (v) => typeof v === 'number' && Number.isFinite(v) };
const positiveFinite: Rule = { what: 'a finite number above 0', ok: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 };
const stopping: Rule = { what: 'true, false or "never"', ok: (v) => v === true || v === false || v === 'never' };
const tokenId: Rule = wholeIn(0, Infinity);

/** Each option: its generation_config.json name and what it must be. */
const RULES = {
  maxNewTokens: { json: 'max_new_tokens', rule: wholeIn(1, MAX_NEW_TOKENS) },
  numBeams: { json: 'num_beams', rule: wholeIn(1, MAX_BEAMS) },
  minLength: { json: 'min_length', rule: wholeIn(0, Infinity) },
  lengthPenalty: { json: 'length_penalty', rule: finite },
  earlyStopping: { json: 'early_stopping', rule: stopping },
  noRepeatNgramSize: { json: 'no_repeat_ngram_size', rule: wholeIn(0, Infinity) },
  repetitionPenalty: { json: 'repetition_penalty', rule: positiveFinite },
} as const satisfies Record<keyof CaptionOptions, { json: string; rule: Rule }>;

function describe(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
}

/** The caller's options, each checked ('bad-input'); undefined means "not given". */
export function checkCaptionOptions(user: CaptionOptions): void {
  for (const [key, { rule }] of Object.entries(RULES) as [keyof CaptionOptions, { rule: Rule }][]) {
    const value = user[key];
    if (value !== undefined && !rule.ok(value)) throw new IrisError('bad-input', `${key} must be ${rule.what}, got ${describe(value)}.`);
  }
}

/** A generation_config.json field, checked ('bad-config'); absent or null means "not given". */
function fromJson<T>(json: Json, key: string, rule: Rule, option?: string): T | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (!rule.ok(value)) {
    throw new IrisError('bad-config', `generation_config.json: ${key} must be ${rule.what}, got ${describe(value)}.`, {
      hint: option ? `Pass ${option} to override it, or fix the checkpoint's file.` : "Fix the checkpoint's file.",
    });
  }
  return value as T;
}

function eosFromJson(json: Json): number[] | undefined {
  const eos = json.eos_token_id;
  if (Array.isArray(eos)) {
    if (eos.length === 0 || !eos.every((id) => tokenId.ok(id))) {
      throw new IrisError('bad-config', `generation_config.json: eos_token_id must be a token id or a non-empty list of them, got ${describe(eos)}.`, { hint: "Fix the checkpoint's file." });
    }
    return eos as number[];
  }
  const one = fromJson<number>(json, 'eos_token_id', tokenId);
  return one === undefined ? undefined : [one];
}

export function resolveGeneration(json: Json, user: CaptionOptions, promptLength: number, fallbackEos: number[]): Omit<GenerationOptions, 'onStep' | 'signal' | 'modelName'> {
  checkCaptionOptions(user);
  const pick = <K extends keyof CaptionOptions>(key: K, fallback: NonNullable<CaptionOptions[K]>): NonNullable<CaptionOptions[K]> =>
    (user[key] ?? fromJson<NonNullable<CaptionOptions[K]>>(json, RULES[key].json, RULES[key].rule, key) ?? fallback) as NonNullable<CaptionOptions[K]>;
  // Without max_new_tokens, transformers' budget is max_length (default 20) minus the prompt. A checkpoint's
  // budget beyond what a request may ask for is capped there.
  const budget = () => {
    const maxLength = fromJson<number>(json, 'max_length', wholeIn(1, Infinity), 'maxNewTokens') ?? 20;
    return Math.min(MAX_NEW_TOKENS, Math.max(1, maxLength - promptLength));
  };
  const fileBudget = () => {
    const fromFile = fromJson<number>(json, 'max_new_tokens', wholeIn(1, Infinity), 'maxNewTokens');
    return fromFile === undefined ? budget() : Math.min(MAX_NEW_TOKENS, fromFile);
  };
  const maxNewTokens = user.maxNewTokens ?? fileBudget();
  return {
    maxNewTokens,
    numBeams: pick('numBeams', 1),
    minLength: pick('minLength', 0),
    lengthPenalty: pick('lengthPenalty', 1),
    earlyStopping: pick('earlyStopping', false),
    noRepeatNgramSize: pick('noRepeatNgramSize', 0),
    repetitionPenalty: pick('repetitionPenalty', 1),
    eosTokenIds: eosFromJson(json) ?? fallbackEos,
  };
}
