// iris.caption's `prompt`: checked before any download (checkCaptionArguments), and by the captioner, which
// asks the model's textPrompt for the decoder ids (BLIP: [DEC] over [CLS], [SEP] dropped) or refuses a model
// that takes none.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isIrisError } from '../../src/errors';
import { blipCaptionModel } from '../../src/families/blip';
import type { BlipCaptionModel } from '../../src/families/blip/model';
import { loadBlipTokenizer } from '../../src/families/blip/tokenizer';
import { DEFAULT_PREPROCESS_CONFIGS } from '../../src/image/preprocess';
import { checkCaptionArguments } from '../../src/tasks/arguments';
import { Captioner, type CaptionModel } from '../../src/tasks/caption';
import { thrown } from '../helpers/errors';
import { GOLDEN_DIR } from '../helpers/golden';

const vectors = JSON.parse(readFileSync(path.resolve(process.cwd(), '../shared/tokenizers/blip/vectors.json'), 'utf8')) as { cases: { text: string; ids: number[] }[]; special_ids: Record<string, number> };
const tokenizer = loadBlipTokenizer({ vocabTxt: readFileSync(path.resolve(process.cwd(), '../shared/tokenizers/bert/vocab.txt'), 'utf8') });
const config = JSON.parse(readFileSync(path.join(GOLDEN_DIR, 'blip/config.json'), 'utf8')) as { text_config: { bos_token_id: number; max_position_embeddings: number } };

// The prompt ids need only the model's config (no weights, no GPU).
const blip = blipCaptionModel({ config: { bosTokenId: vectors.special_ids['[DEC]'], sepTokenId: vectors.special_ids['[SEP]'], padTokenId: 0, text: { maxPositions: config.text_config.max_position_embeddings } } } as unknown as BlipCaptionModel);
const captioner = (model: CaptionModel) => new Captioner(model, tokenizer, DEFAULT_PREPROCESS_CONFIGS.BlipImageProcessor, {});

describe('caption prompt', () => {
  it('BLIP: the tokenizer\'s [CLS] … [SEP] with [DEC] over the [CLS] and the [SEP] dropped', () => {
    for (const c of vectors.cases.filter((c) => c.text.trim() !== '' && c.ids.length < config.text_config.max_position_embeddings)) {
      expect(captioner(blip).promptIds(c.text), c.text).toEqual([vectors.special_ids['[DEC]'], ...c.ids.slice(1, -1)]);
    }
    expect(captioner(blip).promptIds(undefined)).toEqual([vectors.special_ids['[DEC]']]);
  });

  it('a prompt longer than the text positions is bad-input', () => {
    const long = Array.from({ length: config.text_config.max_position_embeddings }, () => 'dog').join(' ');
    expect(isIrisError(thrown(() => captioner(blip).promptIds(long)), 'bad-input')).toBe(true);
  });

  it('empty, whitespace or non-text prompts are bad-input before any download, and in the captioner', () => {
    for (const prompt of ['', '   ', 42, null, ['a']]) {
      expect(isIrisError(thrown(() => checkCaptionArguments({ prompt } as never)), 'bad-input'), JSON.stringify(prompt)).toBe(true);
    }
    expect(isIrisError(thrown(() => captioner(blip).promptIds(' ')), 'bad-input')).toBe(true);
    expect(() => checkCaptionArguments({ prompt: 'a picture of' })).not.toThrow();
  });

  it('a model that takes no text prompt refuses one (bad-input naming the option)', () => {
    const { textPrompt: _, ...withoutPrompt } = blip;
    const error = thrown(() => captioner(withoutPrompt).promptIds('a picture of'));
    expect(isIrisError(error, 'bad-input')).toBe(true);
    expect(String((error as Error).message) + String((error as { hint?: string }).hint)).toMatch(/prompt/);
  });
});
