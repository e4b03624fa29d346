/**
 * BLIP's tokenizer (bert-base-uncased vocab.txt + [DEC]/[ENC]) against transformers' BlipProcessor tokenizer:
 * ../shared/tokenizers/blip/vectors.json, ids and decode(skip_special_tokens=True), every case.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBlipTokenizer } from '../../src/families/blip/tokenizer';

const SHARED = path.resolve(process.cwd(), '../shared/tokenizers');
interface BlipCase { id: string; text: string; ids: number[]; tokens: string[]; decoded: string }
interface BlipVectors { files: Record<string, string>; special_ids: Record<string, number>; cases: BlipCase[] }

const vectors = JSON.parse(readFileSync(path.join(SHARED, 'blip/vectors.json'), 'utf8')) as BlipVectors;
// vectors.json names the vocab.txt it was made with by sha256; ../shared/tokenizers/bert/ has that file.
const vocabTxt = readFileSync(path.join(SHARED, 'bert/vocab.txt'), 'utf8');
const tokenizer = loadBlipTokenizer({ vocabTxt });

describe('BLIP tokenizer (BertTokenizer + [DEC]/[ENC])', () => {
  it('reads the vocab.txt the vectors were made with', () => {
    expect(createHash('sha256').update(readFileSync(path.join(SHARED, 'bert/vocab.txt'))).digest('hex')).toBe(vectors.files['vocab.txt']);
    expect(vectors.cases.length).toBeGreaterThan(0);
  });

  it('gives every special token the id transformers does', () => {
    for (const [token, id] of Object.entries(vectors.special_ids)) expect(tokenizer.tokenToId(token), token).toBe(id);
    expect(tokenizer.vocabSize).toBe(Math.max(...Object.values(vectors.special_ids)) + 1);
  });

  it.each(vectors.cases)('ids and tokens $id', (c) => {
    expect(tokenizer.encode(c.text)).toEqual(c.ids);
    expect(c.ids.map((id) => tokenizer.idToToken(id))).toEqual(c.tokens);
  });

  it.each(vectors.cases)('decoded $id', (c) => {
    expect(tokenizer.decode(c.ids, { skipSpecialTokens: true })).toBe(c.decoded);
  });

  it('builds the same tokenizer from a tokenizer.json that lists [DEC]/[ENC] as added tokens', () => {
    const vocab = Object.fromEntries(vocabTxt.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1).map((token, id) => [token, id]));
    const added = Object.entries(vectors.special_ids).map(([content, id]) => ({ id, content, special: true, normalized: false, single_word: false, lstrip: false, rstrip: false }));
    const tokenizerJson = JSON.stringify({ added_tokens: added, model: { type: 'WordPiece', vocab, unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100 } });
    const fromJson = loadBlipTokenizer({ tokenizerJson });
    for (const c of vectors.cases) expect(fromJson.encode(c.text), c.id).toEqual(c.ids);
  });
});
