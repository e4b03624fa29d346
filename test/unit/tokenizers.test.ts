/**
 * The three tokenizers against Hugging Face's own ids (transformers 4.57.6 / tokenizers 0.22.2) for
 * the real checkpoint files in ../shared/tokenizers (see its README.md).
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBertTokenizer, loadClipTokenizer, loadGpt2Tokenizer, type Tokenizer } from '../../src/tokenizers';
import { expectIrisError } from '../helpers/errors';

const SHARED = path.resolve(process.cwd(), '../shared/tokenizers');
const read = (file: string): string => readFileSync(path.join(SHARED, file), 'utf8');

interface Case {
  id: string;
  category: string;
  text: string;
  ids: number[];
  tokens: string[];
  agree: Record<string, boolean>;
}
interface ClipCase extends Case {
  ids_fast: number[];
  input_ids_77_fast: number[];
  attention_mask_77_fast: number[];
}
const casesOf = <T extends Case>(model: string): T[] => (JSON.parse(read(`${model}/vectors.json`)) as { cases: T[] }).cases;

const clipFiles = { vocabJson: read('clip/vocab.json'), mergesTxt: read('clip/merges.txt') };
const gpt2Files = { vocabJson: read('gpt2/vocab.json'), mergesTxt: read('gpt2/merges.txt') };
const bertFiles = { vocabTxt: read('bert/vocab.txt') };

function timed<T>(label: string, run: () => T): T {
  const start = performance.now();
  const result = run();
  console.log(`${label}: ${(performance.now() - start).toFixed(1)} ms`);
  return result;
}

const clip = timed('load CLIP tokenizer', () => loadClipTokenizer(clipFiles));
const gpt2 = timed('load GPT-2 tokenizer', () => loadGpt2Tokenizer(gpt2Files));
const bert = timed('load BERT tokenizer', () => loadBertTokenizer(bertFiles));

const clipCases = casesOf<ClipCase>('clip');
const gpt2Cases = casesOf<Case>('gpt2');
const bertCases = casesOf<Case>('bert');

const tokensOf = (tokenizer: Tokenizer, ids: number[]): (string | undefined)[] => ids.map((id) => tokenizer.idToToken(id));

describe('test vectors are all there', () => {
  it('has cases for every tokenizer', () => {
    for (const cases of [clipCases, gpt2Cases, bertCases]) expect(cases.length).toBeGreaterThan(0);
  });
});

describe('CLIP (CLIPTokenizerFast)', () => {
  it('spot check from the README', () => {
    expect(clip.encode('a photo of a cat')).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
    expect([clip.bosId, clip.eosId, clip.padId, clip.vocabSize]).toEqual([49406, 49407, 49407, 49408]);
  });

  it.each(clipCases)('ids_fast $id $category', (c) => {
    expect(clip.encode(c.text)).toEqual(c.ids_fast);
  });

  it.each(clipCases)('input_ids_77_fast / attention_mask_77_fast $id $category', (c) => {
    const batch = clip.encodeBatch([c.text]);
    expect([batch.batchSize, batch.sequenceLength]).toEqual([1, 77]);
    expect(Array.from(batch.inputIds)).toEqual(c.input_ids_77_fast);
    expect(Array.from(batch.attentionMask)).toEqual(c.attention_mask_77_fast);
    expect(batch.lengths[0]).toBe(c.attention_mask_77_fast.filter((bit) => bit === 1).length);
  });

  it('agrees with the slow tokenizer\'s token strings wherever fast and slow agree', () => {
    for (const c of clipCases.filter((c) => c.agree.fast)) expect(tokensOf(clip, c.ids), c.id).toEqual(c.tokens);
  });

  it('bonus: reports how many ftfy-cleaned `ids` (slow tokenizer) also match', () => {
    const differing = clipCases.filter((c) => JSON.stringify(clip.encode(c.text)) !== JSON.stringify(c.ids)).map((c) => c.id);
    console.log(`CLIP vs slow+ftfy ids: ${clipCases.length - differing.length}/${clipCases.length} match; differ: ${differing.join(', ')}`);
    expect(differing).toEqual(clipCases.filter((c) => !c.agree.fast).map((c) => c.id));
  });

  it('batches rows in one flat, row-major buffer', () => {
    const texts = ['a photo of a cat.', 'a photo of a dog.', ''];
    const batch = clip.encodeBatch(texts);
    expect(batch.inputIds).toHaveLength(3 * 77);
    texts.forEach((text, i) => {
      const ids = clip.encode(text);
      const row = batch.inputIds.subarray(i * 77, (i + 1) * 77);
      expect(Array.from(row.subarray(0, ids.length))).toEqual(ids);
      expect(row.subarray(ids.length).every((id) => id === 49407)).toBe(true);
      expect(batch.lengths[i]).toBe(ids.length);
    });
  });

  it("pads to the longest text with padding: 'longest', and refuses over-long text without truncation", () => {
    const batch = clip.encodeBatch(['a cat', 'a photo of a cat'], { padding: 'longest' });
    expect(batch.sequenceLength).toBe(7);
    expect(Array.from(batch.inputIds.subarray(0, 7))).toEqual([49406, 320, 2368, 49407, 49407, 49407, 49407]);
    expect(Array.from(batch.attentionMask.subarray(0, 7))).toEqual([1, 1, 1, 1, 0, 0, 0]);
    expect(() => clip.encodeBatch(['a '.repeat(100)], { truncation: false })).toThrow(/more than maxLength 77/);
    expect(() => clip.encodeBatch(['x'], { maxLength: 1 })).toThrow(/maxLength/);
  });

  it('decodes like CLIPTokenizerFast.decode', () => {
    expect(clip.decode(clip.encode('A photo of a CAT.'))).toBe('<|startoftext|>a photo of a cat . <|endoftext|>');
    expect(clip.decode(clip.encode('A photo of a CAT.'), { skipSpecialTokens: true })).toBe('a photo of a cat .');
    expect(clip.decode(clip.encode('Crème brûlée, 東京!'), { skipSpecialTokens: true })).toBe('crème brûlée , 東京 !');
  });

  it('tokenizes 1,000 "a photo of a {label}." prompts fast and consistently', () => {
    const labels = makeLabels(1000);
    const prompts = labels.map((label) => `a photo of a ${label}.`);
    // A fresh tokenizer, so the first pass runs with an empty BPE cache.
    const cold = loadClipTokenizer(clipFiles);
    const batch = timed('CLIP encodeBatch of 1,000 prompts, cold cache', () => cold.encodeBatch(prompts));
    timed('CLIP encodeBatch of 1,000 prompts, warm cache', () => cold.encodeBatch(prompts));
    expect(batch.batchSize).toBe(1000);
    prompts.forEach((prompt, i) => {
      // The template's ids, then the label's own ids, then '.</w>' (269) and EOS.
      const expected = [49406, 320, 1125, 539, 320, ...clip.encode(labels[i]!, { addSpecialTokens: false }), 269, 49407];
      expect(Array.from(batch.inputIds.subarray(i * 77, i * 77 + expected.length)), prompt).toEqual(expected);
    });
  });
});

describe('GPT-2 (GPT2Tokenizer)', () => {
  it('spot check from the README', () => {
    expect(gpt2.encode('Hello, world!')).toEqual([15496, 11, 995, 0]);
    expect([gpt2.bosId, gpt2.eosId, gpt2.padId, gpt2.vocabSize]).toEqual([50256, 50256, 50256, 50257]);
  });

  it.each(gpt2Cases)('ids $id $category', (c) => {
    expect(gpt2.encode(c.text)).toEqual(c.ids);
    expect(tokensOf(gpt2, c.ids)).toEqual(c.tokens);
  });

  it.each(gpt2Cases)('decode round-trip $id $category', (c) => {
    expect(gpt2.decode(c.ids)).toBe(c.text);
  });

  it('skips <|endoftext|> on request, and turns a cut-off character into U+FFFD', () => {
    const ids = [...gpt2.encode('a photo of a cat'), 50256];
    expect(gpt2.decode(ids)).toBe('a photo of a cat<|endoftext|>');
    expect(gpt2.decode(ids, { skipSpecialTokens: true })).toBe('a photo of a cat');
    const thumbsUp = gpt2.encode('👍'); // [41840, 235]: the emoji's 4 bytes in two tokens
    expect(gpt2.decode(thumbsUp.slice(0, 1))).toBe('\uFFFD');
    expect(gpt2.decode(Int32Array.from(thumbsUp))).toBe('👍');
  });
});

describe('BERT uncased (BertTokenizerFast, microsoft/git-base-coco)', () => {
  it('spot check from the README', () => {
    expect(bert.encode('hello, world!')).toEqual([101, 7592, 1010, 2088, 999, 102]);
    expect([bert.bosId, bert.eosId, bert.padId, bert.unkId, bert.vocabSize]).toEqual([101, 102, 0, 100, 30522]);
  });

  it.each(bertCases)('ids $id $category', (c) => {
    expect(bert.encode(c.text)).toEqual(c.ids);
    expect(tokensOf(bert, c.ids)).toEqual(c.tokens);
  });

  it('decodes a caption with HF clean-up', () => {
    const ids = bert.encode("A man's dog isn't riding a skateboard, is it?");
    expect(bert.decode(ids)).toBe("[CLS] a man's dog isn't riding a skateboard, is it? [SEP]");
    expect(bert.decode(ids, { skipSpecialTokens: true })).toBe("a man's dog isn't riding a skateboard, is it?");
    expect(bert.decode(ids, { skipSpecialTokens: true, cleanUpTokenizationSpaces: false })).toBe(
      "a man ' s dog isn ' t riding a skateboard , is it ?",
    );
    // '##' continuations are glued back: "skateboarding" is one word split into pieces.
    const pieces = bert.encode('skateboarding', { addSpecialTokens: false });
    expect(pieces.length).toBeGreaterThan(1);
    expect(bert.decode(pieces)).toBe('skateboarding');
  });

  it('matches special tokens written in the text, and turns words over 100 characters into [UNK]', () => {
    expect(bert.encode('a [MASK] cat', { addSpecialTokens: false })).toEqual([1037, 103, 4937]);
    expect(bert.encode('a ' + 'x'.repeat(101), { addSpecialTokens: false })).toEqual([1037, 100]);
  });
});

describe('loading from tokenizer.json', () => {
  const vocabOf = (json: string): unknown => JSON.parse(json);
  const mergeLines = (text: string): string[] => text.split('\n').filter((line) => line && !line.startsWith('#version'));

  it('builds the same CLIP tokenizer from merges as "a b" strings or ["a", "b"] pairs', () => {
    const merges = mergeLines(clipFiles.mergesTxt);
    for (const asPairs of [false, true]) {
      const tokenizerJson = JSON.stringify({
        added_tokens: [
          { id: 49406, content: '<|startoftext|>', special: true, normalized: true },
          { id: 49407, content: '<|endoftext|>', special: true, normalized: true },
        ],
        model: { type: 'BPE', vocab: vocabOf(clipFiles.vocabJson), merges: asPairs ? merges.map((m) => m.split(' ')) : merges, end_of_word_suffix: '</w>' },
      });
      const fromJson = loadClipTokenizer({ tokenizerJson });
      for (const c of clipCases) expect(fromJson.encode(c.text), c.id).toEqual(c.ids_fast);
    }
  });

  it('builds GPT-2 and BERT tokenizers', () => {
    const gpt2Json = JSON.stringify({ model: { type: 'BPE', vocab: vocabOf(gpt2Files.vocabJson), merges: mergeLines(gpt2Files.mergesTxt) } });
    const fromJson = loadGpt2Tokenizer({ tokenizerJson: gpt2Json });
    for (const c of gpt2Cases) expect(fromJson.encode(c.text), c.id).toEqual(c.ids);

    const vocab = Object.fromEntries(bertFiles.vocabTxt.trimEnd().split('\n').map((token, id) => [token, id]));
    const bertJson = JSON.stringify({ model: { type: 'WordPiece', vocab, unk_token: '[UNK]', max_input_chars_per_word: 100 } });
    const bertFromJson = loadBertTokenizer({ tokenizerJson: bertJson });
    for (const c of bertCases) expect(bertFromJson.encode(c.text), c.id).toEqual(c.ids);
  });
});

describe('bad files throw IrisError("tokenizer")', () => {
  const expectTokenizerError = (load: () => unknown, message: RegExp): void => expectIrisError(load, 'tokenizer', message);

  it('rejects malformed or missing files with a message that says what is wrong', () => {
    expectTokenizerError(() => loadClipTokenizer({ vocabJson: '{"a": 0,', mergesTxt: clipFiles.mergesTxt }), /vocab\.json is not valid JSON/);
    expectTokenizerError(() => loadClipTokenizer({ vocabJson: '<!DOCTYPE html>', mergesTxt: clipFiles.mergesTxt }), /not valid JSON/);
    expectTokenizerError(() => loadClipTokenizer({ vocabJson: '[1, 2]', mergesTxt: clipFiles.mergesTxt }), /must be an object/);
    expectTokenizerError(() => loadClipTokenizer({ vocabJson: '{"a": "zero"}', mergesTxt: clipFiles.mergesTxt }), /non-negative integers/);
    expectTokenizerError(() => loadClipTokenizer({ vocabJson: clipFiles.vocabJson, mergesTxt: '' }), /merges\.txt is empty/);
    expectTokenizerError(() => loadClipTokenizer({ vocabJson: clipFiles.vocabJson, mergesTxt: '#version: 0.2\ni n\nt h e r e\n' }), /line 3 is not a merge/);
    expectTokenizerError(() => loadClipTokenizer({ vocabJson: clipFiles.vocabJson } as never), /expected \{vocabJson, mergesTxt\}/);
    expectTokenizerError(() => loadClipTokenizer({ vocabJson: undefined, mergesTxt: 'x' } as never), /vocab\.json is missing/);
    expectTokenizerError(() => loadGpt2Tokenizer(null as never), /expected \{vocabJson, mergesTxt\}/);
  });

  it('rejects files that do not belong together or to the model', () => {
    // CLIP's vocab with GPT-2's merges: the merges name tokens CLIP does not have.
    expectTokenizerError(() => loadClipTokenizer({ vocabJson: clipFiles.vocabJson, mergesTxt: gpt2Files.mergesTxt }), /not in the vocab/);
    // GPT-2's files given to CLIP: no <|startoftext|>.
    expectTokenizerError(() => loadClipTokenizer(gpt2Files), /no <\|startoftext\|> token/);
    // A vocab without the byte-level alphabet.
    expectTokenizerError(() => loadGpt2Tokenizer({ vocabJson: '{"<|endoftext|>": 0}', mergesTxt: '#version: 0.2\n' }), /no merges/);
    expectTokenizerError(() => loadGpt2Tokenizer({ vocabJson: '{"<|endoftext|>": 0, "a": 1}', mergesTxt: 'a a\n' }), /not in the vocab/);
    expectTokenizerError(() => loadGpt2Tokenizer({ vocabJson: '{"<|endoftext|>": 0, "a": 1, "aa": 2}', mergesTxt: 'a a\n' }), /lacks the byte-level token/);
    expectTokenizerError(() => loadBertTokenizer({ vocabTxt: 'hello\nworld\n' }), /no \[CLS\] token/);
    expectTokenizerError(() => loadBertTokenizer({ vocabTxt: gpt2Files.vocabJson }), /looks like JSON/);
    expectTokenizerError(() => loadBertTokenizer({ tokenizerJson: JSON.stringify({ model: { type: 'BPE', vocab: {}, merges: [] } }) }), /BPE model, expected WordPiece/);
    expectTokenizerError(() => loadGpt2Tokenizer({ tokenizerJson: '{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [["a"]]}}' }), /merges\[0\]/);
    expectTokenizerError(() => loadGpt2Tokenizer({ tokenizerJson: '{"version": "1.0"}' }), /no "model" object/);
  });
});

/** 1,000 distinct ImageNet-style labels ("golden retriever", "traffic light", ...) from vocab words. */
function makeLabels(count: number): string[] {
  const words = bertFiles.vocabTxt.split('\n').filter((word) => /^[a-z]{4,}$/.test(word)).slice(500, 1500);
  return Array.from({ length: count }, (_, i) => (i % 3 === 0 ? words[i]! : `${words[i]!} ${words[(i * 7) % words.length]!}`));
}
