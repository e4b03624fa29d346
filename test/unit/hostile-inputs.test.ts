// Arguments and text under hostile input (issue 17): request arguments are checked by themselves (the
// worker runs these checks before a model loads), labels go into prompts literally, nothing spreads a
// user-sized array into a call, Python's strip is linear, and the label-embedding cache is bounded.
import { describe, expect, it } from 'vitest';
import { softmaxRows } from '../../src/nn/similarity';
import { checkCaptionArguments, checkClassifyArguments, checkTexts } from '../../src/tasks/arguments';
import { LABEL_CACHE_BYTES, LabelEmbeddingCache } from '../../src/tasks/label-cache';
import { DEFAULT_TEMPLATE, promptsFor } from '../../src/tasks/zero-shot';
import { stripLikePython } from '../../src/tokenizers/text';
import { expectBadInput } from '../helpers/errors';

describe('request arguments, checked without a model', () => {
  it('classify: labels, templates and topK', () => {
    expectBadInput(() => checkClassifyArguments([]), /at least one label/);
    expectBadInput(() => checkClassifyArguments('cat, dog'), /at least one label/);
    expectBadInput(() => checkClassifyArguments(['cat', 7]), /Label 1 is 7, not a string/);
    expectBadInput(() => checkClassifyArguments(['cat'], { templates: [] }), /at least one prompt template/);
    expectBadInput(() => checkClassifyArguments(['cat'], { templates: ['a photo'] }), /no \{label\} placeholder/);
    for (const topK of [0, -1, Number.NaN, 1.5, Infinity]) expectBadInput(() => checkClassifyArguments(['cat', 'dog'], { topK }), new RegExp(`topK .* got ${topK}`));
    expect(() => checkClassifyArguments(['cat', 'dog'], { topK: 5, templates: [DEFAULT_TEMPLATE] })).not.toThrow(); // more than the labels: all of them
  });

  it('caption: the decoding options', () => {
    expectBadInput(() => checkCaptionArguments({ numBeams: 0 }), /numBeams/);
    expectBadInput(() => checkCaptionArguments({ maxNewTokens: 0 }), /maxNewTokens/);
    expectBadInput(() => checkCaptionArguments({ repetitionPenalty: -1 }), /repetitionPenalty/);
    expect(() => checkCaptionArguments({ numBeams: 3, maxNewTokens: 20 })).not.toThrow();
  });

  it('embedText: at least one string', () => {
    expectBadInput(() => checkTexts([]), /at least one text/);
    expectBadInput(() => checkTexts([null]), /Text 0 is null/);
  });
});

describe('labels go into prompts literally', () => {
  it.each(['$&', '$`', "$'", '$$', '$1', 'a $& b'])('label %s', (label) => {
    const templates = [DEFAULT_TEMPLATE, '{label} and {label}'];
    // The truth: the template cut at each placeholder and glued back with the label.
    expect(promptsFor([label], templates)).toEqual(templates.map((t) => t.split('{label}').join(label)));
  });
});

describe('no spread over user-sized arrays', () => {
  it('softmaxRows over 200,000 labels (Math.max(...row) overflowed the stack at 150,000)', () => {
    const cols = 200_001;
    // Even columns have logit 0, odd ones ln 3: their probabilities are 1 : 3 over the row.
    const logits = Float32Array.from({ length: cols }, (_, i) => (i % 2 ? Math.log(3) : 0));
    const probs = softmaxRows(logits, cols);
    const evens = Math.ceil(cols / 2);
    const odds = cols - evens;
    const z = evens + 3 * odds;
    expect(probs[0]).toBeCloseTo(1 / z, 10);
    expect(probs[1]).toBeCloseTo(3 / z, 10);
  });
});

describe('stripLikePython', () => {
  it('strips what Python strips, and keeps what it keeps', () => {
    expect(stripLikePython('\u0085\u00a0\u2028\x1c\x1f a b \t\n\u3000')).toBe('a b');
    expect(stripLikePython('\ufeffa\ufeff')).toBe('\ufeffa\ufeff'); // U+FEFF is not whitespace in Python
    expect(stripLikePython('   ')).toBe('');
    expect(stripLikePython('')).toBe('');
  });

  it('is linear: 300,000 spaces around a word (the anchored regex needed minutes; the test timeout catches that)', () => {
    const n = 300_000;
    expect(stripLikePython(`${' '.repeat(n)}word${' '.repeat(n)}x${' '.repeat(n)}`)).toBe(`word${' '.repeat(n)}x`);
  });
});

describe('the label-embedding cache is an LRU within a byte budget', () => {
  it('drops the least recently used label sets first, and keeps nothing larger than the budget', () => {
    const entry = (n: number) => new Float32Array(n);
    const cache = new LabelEmbeddingCache(3 * 4 * 100); // room for three 100-float entries
    cache.set('a', entry(100));
    cache.set('b', entry(100));
    cache.set('c', entry(100));
    expect(cache.get('a')).toBeDefined(); // a is now the most recent; b the least
    cache.set('d', entry(100));
    expect(['a', 'b', 'c', 'd'].map((k) => cache.get(k) !== undefined)).toEqual([true, false, true, true]);
    cache.set('huge', entry(301));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(3);
    expect(new LabelEmbeddingCache().maxBytes).toBe(LABEL_CACHE_BYTES);
  });
});
