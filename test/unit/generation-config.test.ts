// Decoding options checked where they come in: the caller's (bad-input, before any download) and a
// checkpoint's generation_config.json (bad-config), whole numbers where counts are meant, finite penalties.
import { describe, expect, it } from 'vitest';
import { checkCaptionArguments } from '../../src/tasks/arguments';
import { MAX_BEAMS, MAX_NEW_TOKENS, resolveGeneration, type CaptionOptions } from '../../src/tasks/generation-config';
import { expectBadInput, expectIrisError } from '../helpers/errors';
import { goldenJson } from '../helpers/golden';

const expectBadConfig = (run: () => unknown, pattern: RegExp): void => expectIrisError(run, 'bad-config', pattern);

/** Each option, its generation_config.json name, and values that are wrong for it. */
const WRONG: { option: keyof CaptionOptions; json: string; values: unknown[] }[] = [
  { option: 'maxNewTokens', json: 'max_new_tokens', values: [2.5, 0, -1, NaN, Infinity, '8', null] },
  { option: 'numBeams', json: 'num_beams', values: [2.5, 0, -3, NaN, Infinity, MAX_BEAMS + 1, '3'] },
  { option: 'minLength', json: 'min_length', values: [1.5, -1, NaN, Infinity, '2'] },
  { option: 'noRepeatNgramSize', json: 'no_repeat_ngram_size', values: [2.5, -1, NaN, Infinity, true] },
  { option: 'repetitionPenalty', json: 'repetition_penalty', values: [0, -1, NaN, Infinity, '1.2'] },
  { option: 'lengthPenalty', json: 'length_penalty', values: [NaN, Infinity, -Infinity, '1'] },
  { option: 'earlyStopping', json: 'early_stopping', values: ['yes', 1, 0] },
];

describe("the caller's decoding options (bad-input)", () => {
  for (const { option, values } of WRONG) {
    for (const value of values) {
      it(`${option}: ${String(value)}`, () => {
        expectBadInput(() => checkCaptionArguments({ [option]: value } as CaptionOptions), new RegExp(`^${option} must be`));
        // The same rule where the options meet the checkpoint's (the task's own check).
        expectBadInput(() => resolveGeneration({}, { [option]: value } as CaptionOptions, 1, [0]), new RegExp(`^${option} must be`));
      });
    }
  }

  it('maxNewTokens above the limit is bad-input; the limit itself and whole values are fine', () => {
    expectBadInput(() => checkCaptionArguments({ maxNewTokens: MAX_NEW_TOKENS + 1 }), /maxNewTokens must be a whole number from 1/);
    expect(() => checkCaptionArguments({ maxNewTokens: MAX_NEW_TOKENS, numBeams: MAX_BEAMS, minLength: 0, noRepeatNgramSize: 3, repetitionPenalty: 1.2, lengthPenalty: -0.5, earlyStopping: 'never' })).not.toThrow();
    expect(() => checkCaptionArguments()).not.toThrow();
  });

  it('2.5 new tokens is refused, not run as 3', () => {
    expectBadInput(() => resolveGeneration({}, { maxNewTokens: 2.5 }, 1, [0]), /maxNewTokens must be a whole number .* got 2\.5/);
  });
});

describe("a checkpoint's generation_config.json (bad-config)", () => {
  for (const { option, json, values } of WRONG) {
    for (const value of values.filter((v) => v !== null && !(typeof v === 'number' && !Number.isFinite(v)))) {
      // (JSON has no NaN or Infinity; null means "not set".)
      it(`${json}: ${JSON.stringify(value)}`, () => {
        // A too-large budget in a file is capped, not refused.
        if (json === 'max_new_tokens' && typeof value === 'number' && value > MAX_NEW_TOKENS) return;
        expectBadConfig(() => resolveGeneration({ [json]: value }, {}, 1, [0]), new RegExp(`generation_config\\.json: ${json} must be .* ${option}`));
      });
    }
  }

  it("the caller's option overrides a broken field instead of failing on it", () => {
    expect(resolveGeneration({ num_beams: 2.5 }, { numBeams: 2 }, 1, [0]).numBeams).toBe(2);
    expect(resolveGeneration({ max_new_tokens: -4, max_length: 'x' }, { maxNewTokens: 5 }, 1, [0]).maxNewTokens).toBe(5);
  });

  it('max_length and eos_token_id are checked too; null means "not set"', () => {
    expectBadConfig(() => resolveGeneration({ max_length: 7.5 }, {}, 1, [0]), /max_length must be a whole number/);
    expectBadConfig(() => resolveGeneration({ eos_token_id: 1.5 }, {}, 1, [0]), /eos_token_id must be/);
    expectBadConfig(() => resolveGeneration({ eos_token_id: [2, -1] }, {}, 1, [0]), /eos_token_id must be/);
    expectBadConfig(() => resolveGeneration({ eos_token_id: [] }, {}, 1, [0]), /eos_token_id must be/);
    const unset = resolveGeneration({ max_new_tokens: null, num_beams: null, eos_token_id: null }, {}, 3, [9]);
    expect(unset).toMatchObject({ numBeams: 1, eosTokenIds: [9], maxNewTokens: 20 - 3 });
  });

  it('a budget beyond the limit is capped at it', () => {
    expect(resolveGeneration({ max_new_tokens: MAX_NEW_TOKENS * 2 }, {}, 1, [0]).maxNewTokens).toBe(MAX_NEW_TOKENS);
    expect(resolveGeneration({ max_length: MAX_NEW_TOKENS * 2 }, {}, 1, [0]).maxNewTokens).toBe(MAX_NEW_TOKENS);
  });

  it('the golden checkpoints\' files resolve to their own values', () => {
    for (const model of ['git', 'vit-gpt2', 'git-vqa']) {
      const json = goldenJson(model, 'generation_config.json') as Record<string, unknown>;
      const resolved = resolveGeneration(json as never, {}, 1, [-1]);
      expect(resolved.eosTokenIds).toEqual([json.eos_token_id].flat());
    }
  });
});
