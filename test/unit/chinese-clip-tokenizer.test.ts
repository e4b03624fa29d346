// Chinese-CLIP's tokenizer against transformers' (../shared/tokenizers/chinese-clip/vectors.json): the ids,
// the padded and truncated batch at the model's context, and decode(skip_special_tokens), on every case.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHINESE_CLIP_CONTEXT, loadChineseClipTokenizer } from '../../src/families/chinese-clip/tokenizer';

const DIR = path.resolve(process.cwd(), '../shared/tokenizers/chinese-clip');

interface Case {
  id: string;
  text: string;
  ids: number[];
  ids_fast: number[];
  decoded: string;
  input_ids_52_fast: number[];
  attention_mask_52_fast: number[];
}

const vectors = JSON.parse(readFileSync(path.join(DIR, 'vectors.json'), 'utf8')) as { cases: Case[]; special_ids: Record<string, number> };
const tokenizer = loadChineseClipTokenizer({ vocabTxt: readFileSync(path.join(DIR, 'vocab.txt'), 'utf8') });
const cases = vectors.cases;

describe('Chinese-CLIP tokenizer (BERT WordPiece, Chinese RoBERTa-wwm-ext vocab)', () => {
  it('has the special ids the vectors name', () => {
    expect(cases.length).toBeGreaterThan(0);
    expect(tokenizer.padId).toBe(vectors.special_ids['[PAD]']);
    expect(tokenizer.unkId).toBe(vectors.special_ids['[UNK]']);
    expect(tokenizer.bosId).toBe(vectors.special_ids['[CLS]']);
    expect(tokenizer.eosId).toBe(vectors.special_ids['[SEP]']);
  });

  it('its context is the padded length of the vectors', () => {
    for (const c of cases) expect(c.input_ids_52_fast.length, c.id).toBe(CHINESE_CLIP_CONTEXT);
    expect(tokenizer.contextLength).toBe(CHINESE_CLIP_CONTEXT);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s: ids (slow and fast)', (_, c) => {
    expect(tokenizer.encode(c.text)).toEqual(c.ids);
    expect(tokenizer.encode(c.text)).toEqual(c.ids_fast);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s: decode(ids, skip_special_tokens)', (_, c) => {
    expect(tokenizer.decode(c.ids, { skipSpecialTokens: true })).toBe(c.decoded);
  });

  it('the batch of every case is padding="max_length", truncation=True at the context (ids and masks)', () => {
    const batch = tokenizer.encodeBatch(cases.map((c) => c.text));
    expect(batch.batchSize).toBe(cases.length);
    expect(batch.sequenceLength).toBe(cases[0]!.input_ids_52_fast.length);
    const L = batch.sequenceLength;
    cases.forEach((c, i) => {
      expect(Array.from(batch.inputIds.subarray(i * L, (i + 1) * L)), c.id).toEqual(c.input_ids_52_fast);
      expect(Array.from(batch.attentionMask.subarray(i * L, (i + 1) * L)), c.id).toEqual(c.attention_mask_52_fast);
    });
    // Some case is longer than the context, so truncation is exercised, not only padding.
    expect(cases.some((c) => c.ids.length > L)).toBe(true);
  });
});
