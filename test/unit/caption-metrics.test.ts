/**
 * BLEU / ROUGE-L / CIDEr-D and the PTB tokenizer against ../shared/golden/metrics/coco-caption-metrics.json
 * (computed by pycocoevalcap itself; see that folder's README, "Caption metrics"): every corpus and
 * per-image value of every case, to 1e-9.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bleuScores } from '../../src/eval/bleu';
import { scoreCaptions } from '../../src/eval/caption-metrics';
import { ciderDScores } from '../../src/eval/cider';
import { ptbTokenize, ptbTokenizeAll } from '../../src/eval/ptb-tokenizer';
import { lcsLength, rougeLScores } from '../../src/eval/rouge';
import { expectBadInput } from '../helpers/errors';
import { GOLDEN_DIR } from '../helpers/golden';

interface GoldenCase {
  name: string;
  gts: Record<string, string[]>;
  res: Record<string, string[]>;
  image_ids: string[];
  bleu: number[];
  bleu_per_image: number[][]; // [n-1][image]
  rouge_l: number;
  rouge_l_per_image: number[];
  cider_d: number;
  cider_d_per_image: number[];
}
interface Golden {
  tokenize_examples: { raw: string; tokens: string }[];
  cases: GoldenCase[];
}

const golden = JSON.parse(
  readFileSync(path.join(GOLDEN_DIR, 'metrics/coco-caption-metrics.json'), 'utf8'),
) as Golden;

const TOLERANCE = 1e-9;
function expectClose(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: got ${actual}, want ${expected}`).toBeLessThanOrEqual(TOLERANCE);
}

const setsOf = (c: GoldenCase) => ({
  references: c.image_ids.map((id) => c.gts[id]),
  candidates: c.image_ids.map((id) => {
    expect(c.res[id]).toHaveLength(1);
    return c.res[id][0];
  }),
});

describe('golden file', () => {
  it('has cases (each named once, with scores for every image) and tokenize examples', () => {
    expect(golden.cases.length).toBeGreaterThan(0);
    expect(new Set(golden.cases.map((c) => c.name)).size).toBe(golden.cases.length);
    for (const c of golden.cases) {
      expect(c.cider_d_per_image, c.name).toHaveLength(c.image_ids.length);
      expect(c.rouge_l_per_image, c.name).toHaveLength(c.image_ids.length);
    }
    expect(golden.tokenize_examples.length).toBeGreaterThan(0);
  });
});

describe.each(golden.cases.map((c) => [c.name, c] as const))('pycocoevalcap case %s', (_name, c) => {
  const { references, candidates } = setsOf(c);

  it('BLEU-1..4, corpus and per image', () => {
    const bleu = bleuScores(references, candidates, 4);
    for (let n = 0; n < 4; n++) {
      expectClose(bleu.corpus[n], c.bleu[n], `corpus BLEU-${n + 1}`);
      c.image_ids.forEach((id, i) => expectClose(bleu.perImage[i][n], c.bleu_per_image[n][i], `BLEU-${n + 1} of image ${id}`));
    }
  });

  it('ROUGE-L, corpus and per image', () => {
    const rouge = rougeLScores(references, candidates);
    expectClose(rouge.corpus, c.rouge_l, 'corpus ROUGE-L');
    c.image_ids.forEach((id, i) => expectClose(rouge.perImage[i], c.rouge_l_per_image[i], `ROUGE-L of image ${id}`));
  });

  it('CIDEr-D, corpus and per image', () => {
    const cider = ciderDScores(references, candidates);
    expectClose(cider.corpus, c.cider_d, 'corpus CIDEr-D');
    c.image_ids.forEach((id, i) => expectClose(cider.perImage[i], c.cider_d_per_image[i], `CIDEr-D of image ${id}`));
  });

  it('scoreCaptions gives the same numbers, with or without re-tokenizing the tokenized input', () => {
    const items = c.image_ids.map((imageId, i) => ({ imageId, references: references[i], candidate: candidates[i] }));
    for (const tokenize of [false, true]) {
      const metrics = scoreCaptions(items, { tokenize });
      expectClose(metrics.corpus.bleu4, c.bleu[3], 'corpus BLEU-4');
      expectClose(metrics.corpus.rougeL, c.rouge_l, 'corpus ROUGE-L');
      expectClose(metrics.corpus.ciderD, c.cider_d, 'corpus CIDEr-D');
      metrics.perImage.forEach((p, i) => {
        expect(p.imageId).toBe(c.image_ids[i]);
        expectClose(p.bleu1, c.bleu_per_image[0][i], 'BLEU-1');
        expectClose(p.bleu2, c.bleu_per_image[1][i], 'BLEU-2');
        expectClose(p.bleu3, c.bleu_per_image[2][i], 'BLEU-3');
        expectClose(p.bleu4, c.bleu_per_image[3][i], 'BLEU-4');
        expectClose(p.rougeL, c.rouge_l_per_image[i], 'ROUGE-L');
        expectClose(p.ciderD, c.cider_d_per_image[i], 'CIDEr-D');
      });
    }
  });
});

describe('PTB tokenizer', () => {
  it.each(golden.tokenize_examples.map((e) => [e.raw, e.tokens] as const))('%s', (raw, tokens) => {
    expect(ptbTokenize(raw)).toBe(tokens);
  });

  it('tokenizes a list line by line and leaves tokenized text as it is', () => {
    const raws = golden.tokenize_examples.map((e) => e.raw);
    const tokenized = ptbTokenizeAll(raws);
    expect(tokenized).toEqual(golden.tokenize_examples.map((e) => e.tokens));
    expect(ptbTokenizeAll(tokenized)).toEqual(tokenized);
  });
});

describe('pieces and edge cases', () => {
  it('longest common subsequence', () => {
    expect(lcsLength([], ['a'])).toBe(0);
    expect(lcsLength(['a', 'b', 'c', 'd'], ['a', 'c', 'd'])).toBe(3);
    expect(lcsLength('a man on a horse'.split(' '), 'a person on a horse'.split(' '))).toBe(4);
    expect(lcsLength(['x', 'y'], ['y', 'x'])).toBe(1);
  });

  it('tokenizes raw captions before scoring by default', () => {
    const items = [
      { imageId: 1, references: ['A dog runs on the beach.'], candidate: 'A dog runs on the beach!' },
      { imageId: 2, references: ["The cat's on a red sofa."], candidate: "the cat 's on a red sofa" },
    ];
    const metrics = scoreCaptions(items);
    expectClose(metrics.corpus.ciderD, 10, 'CIDEr-D of identical captions');
    expectClose(metrics.corpus.rougeL, 1, 'ROUGE-L of identical captions');
    expect(scoreCaptions(items, { tokenize: false }).corpus.ciderD).toBeLessThan(10);
  });

  it('rejects empty or mismatched input with bad-input', () => {
    for (const score of [bleuScores, rougeLScores, ciderDScores]) {
      expectBadInput(() => score([], []), /empty/);
      expectBadInput(() => score([['a dog']], ['a dog', 'a cat']), /2 candidate captions but reference sets for 1/);
      expectBadInput(() => score([['a dog'], []], ['a dog', 'a cat']), /Image 1 has no reference captions/);
    }
    expectBadInput(() => scoreCaptions([]), /empty/);
    expectBadInput(() => scoreCaptions([{ imageId: 7, references: [], candidate: 'a dog' }]), /Image 7 has no reference/);
    const item = { imageId: 'x', references: ['a dog'], candidate: 'a dog' };
    expectBadInput(() => scoreCaptions([item, item]), /"x" appears twice/);
  });
});
