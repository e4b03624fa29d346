// Decoding strategies against brute force over a tiny Markov "decoder" whose logits depend only on the
// previous token, so the best sequence can be found by exhaustive search.
import { describe, expect, it } from 'vitest';
import { bestCandidates, generate, processLogits, type DecoderSession, type GenerationOptions } from '../../src/nn/generate';
import { isIrisError } from '../../src/errors';

const V = 5;
const EOS = 4;

/** logits[prev][next] from a seeded generator; fixed per test. */
function markovTable(seed: number): Float32Array[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 4 - 2;
  return Array.from({ length: V }, () => Float32Array.from({ length: V }, rand));
}

class MarkovSession implements DecoderSession {
  readonly vocabSize: number = V;
  calls = 0;
  constructor(private readonly table: Float32Array[]) {}
  async next(tokens: Int32Array, rows: number): Promise<Float32Array> {
    this.calls++;
    const T = tokens.length / rows;
    const out = new Float32Array(rows * V);
    for (let r = 0; r < rows; r++) out.set(this.table[tokens[r * T + T - 1]!]!, r * V);
    return out;
  }
  reorder(): void {}
}

const base: GenerationOptions = {
  maxNewTokens: 4, numBeams: 1, minLength: 0, lengthPenalty: 1, earlyStopping: false,
  noRepeatNgramSize: 0, repetitionPenalty: 1, eosTokenIds: [EOS],
};

function logSoftmax(row: Float32Array): number[] {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
  return Array.from(row, (v) => v - lse);
}

/**
 * Best length-normalised log-probability over all sequences of up to `max` new tokens, EOS ending one.
 * As in transformers, the length is the number of generated tokens, EOS included.
 */
function bruteForce(table: Float32Array[], prompt: number[], max: number, lengthPenalty: number): { ids: number[]; score: number } {
  let best = { ids: [] as number[], score: -Infinity };
  const walk = (ids: number[], logp: number, generated: number) => {
    if (generated === max || (generated > 0 && ids[ids.length - 1] === EOS)) {
      const score = logp / generated ** lengthPenalty;
      if (score > best.score) best = { ids, score };
      return;
    }
    const lp = logSoftmax(table[ids[ids.length - 1]!]!);
    for (let t = 0; t < V; t++) walk([...ids, t], logp + lp[t]!, generated + 1);
  };
  walk(prompt, 0, 0);
  return best;
}

describe('greedy decoding', () => {
  it('follows the argmax chain and stops at EOS or maxNewTokens', async () => {
    const table = markovTable(7);
    const result = await generate(new MarkovSession(table), [0], { ...base, maxNewTokens: 6 });
    const expected = [0];
    for (let i = 0; i < 6; i++) {
      const row = table[expected[expected.length - 1]!]!;
      const next = row.indexOf(Math.max(...row));
      expected.push(next);
      if (next === EOS) break;
    }
    expect(result.ids).toEqual(expected);
    expect(result.stepLogits).toHaveLength(expected.length - 1);
  });

  it('streams the sequence after every step', async () => {
    const seen: number[][] = [];
    const result = await generate(new MarkovSession(markovTable(3)), [1], { ...base, onStep: (ids) => seen.push([...ids]) });
    expect(seen[seen.length - 1]).toEqual(result.ids);
    expect(seen.map((s) => s.length)).toEqual(seen.map((_, i) => 2 + i));
  });

  it('is cancelled by an AbortSignal with an "aborted" error', async () => {
    const controller = new AbortController();
    const session = new MarkovSession(markovTable(5));
    const run = generate(session, [0], { ...base, maxNewTokens: 50, eosTokenIds: [], onStep: (ids) => ids.length === 3 && controller.abort(), signal: controller.signal });
    await expect(run).rejects.toSatisfy((e: unknown) => isIrisError(e, 'aborted'));
    expect(session.calls).toBe(2);
  });
});

describe('beam search', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`with beams covering every prefix equals exhaustive search (table ${seed})`, async () => {
      const table = markovTable(seed);
      // V^3 = 125 beams keep every prefix alive for 3 steps: beam search is then exact.
      const result = await generate(new MarkovSession(table), [0], { ...base, numBeams: 125, maxNewTokens: 3, earlyStopping: 'never' });
      const truth = bruteForce(table, [0], 3, 1);
      expect(result.score).toBeCloseTo(truth.score, 5);
      expect(result.ids).toEqual(truth.ids);
    });
  }

  it('finds a better sequence than greedy when greedy walks into a trap', async () => {
    // From 0: token 1 looks best (logit 2) but leads to a flat row; token 2 (logit 1.9) leads to a sure EOS.
    const table = [
      Float32Array.of(-9, 2, 1.9, -9, -9),
      Float32Array.of(0, 0, 0, 0, 0),
      Float32Array.of(-9, -9, -9, -9, 9),
      Float32Array.of(0, 0, 0, 0, 0),
      Float32Array.of(0, 0, 0, 0, 0),
    ];
    const g = await generate(new MarkovSession(table), [0], { ...base, maxNewTokens: 2 });
    const b = await generate(new MarkovSession(table), [0], { ...base, maxNewTokens: 2, numBeams: 2 });
    expect(g.ids.slice(0, 2)).toEqual([0, 1]);
    expect(b.ids).toEqual([0, 2, EOS]);
  });
});

describe('beam candidates', () => {
  it('the k best equal the head of a full stable sort, ties (by beam, then token) and -Infinity included', () => {
    let s = 12345;
    const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 200; trial++) {
      const beams = 1 + (trial % 5);
      const V = 3 + Math.floor(rand() * 40);
      // Few distinct values, so many ties; some -Infinity (banned tokens).
      const rows = Array.from({ length: beams }, () => Float32Array.from({ length: V }, () => (rand() < 0.1 ? -Infinity : Math.floor(rand() * 6) - 3)));
      const beamScores = Array.from({ length: beams }, () => Math.floor(rand() * 3) - 1);
      const k = 1 + Math.floor(rand() * 3 * beams);
      const all: { score: number; beam: number; token: number }[] = [];
      rows.forEach((row, beam) => row.forEach((v, token) => { if (v + beamScores[beam]! > -Infinity) all.push({ score: v + beamScores[beam]!, beam, token }); }));
      all.sort((a, b) => b.score - a.score);
      expect(bestCandidates(rows, beamScores, k)).toEqual(all.slice(0, k));
    }
  });
});

describe('logits processors (transformers semantics)', () => {
  it('repetition penalty divides positive and multiplies negative logits of seen tokens', () => {
    const logits = Float32Array.of(2, -2, 1, 3, 0.5);
    processLogits(logits, [0, 1, 1], { ...base, repetitionPenalty: 2 });
    expect(Array.from(logits)).toEqual([1, -4, 1, 3, 0.5]);
  });

  it('no_repeat_ngram_size bans the token that would repeat an n-gram', () => {
    const logits = new Float32Array(V).fill(1);
    processLogits(logits, [1, 2, 3, 1, 2], { ...base, noRepeatNgramSize: 3 });
    expect(Array.from(logits)).toEqual([1, 1, 1, -Infinity, 1]);
  });

  it('min_length masks EOS until the sequence is long enough', () => {
    const short = new Float32Array(V).fill(1);
    processLogits(short, [0, 1], { ...base, minLength: 3 });
    expect(short[EOS]).toBe(-Infinity);
    const long = new Float32Array(V).fill(1);
    processLogits(long, [0, 1, 2], { ...base, minLength: 3 });
    expect(long[EOS]).toBe(1);
  });
});

/** A session whose logits at step `at` (counted from 0) have `value` at row `row`, token `token`; else a Markov table. */
class PoisonedSession extends MarkovSession {
  constructor(table: Float32Array[], private readonly at: number, private readonly value: number, private readonly row = 0, private readonly token = 1) {
    super(table);
  }
  override async next(tokens: Int32Array, rows: number): Promise<Float32Array> {
    const out = await super.next(tokens, rows);
    if (this.calls - 1 === this.at) out[this.row * V + this.token] = this.value;
    return out;
  }
}

describe('non-finite logits are a numerical-error naming the model and the step', () => {
  for (const value of [NaN, Infinity, -Infinity]) {
    for (const numBeams of [1, 3]) {
      it(`${value} at step 3, ${numBeams === 1 ? 'greedy' : 'beam search'}`, async () => {
        const row = numBeams - 1;
        const session = new PoisonedSession(markovTable(11), 2, value, row);
        const run = generate(session, [0], { ...base, numBeams, maxNewTokens: 6, eosTokenIds: [], modelName: 'The caption model acme/tiny' });
        const error = await run.catch((e: unknown) => e);
        expect(isIrisError(error, 'numerical-error'), String(error)).toBe(true);
        const message = (error as Error).message;
        expect(message).toContain('acme/tiny');
        expect(message).toContain('step 3');
        expect(message).toContain(String(value));
        expect(message).toMatch(/f32/);
        if (numBeams > 1) expect(message).toContain(`beam ${row}`);
      });
    }
  }
});

describe('every continuation banned', () => {
  // A two-token vocabulary that alternates: 0 1 0 1 … With no_repeat_ngram_size 2, after [0, 1, 0] both "0 0"
  // … and "0 1" … are taken, so nothing may follow; the decoder must stop with what it has.
  const table = [Float32Array.of(-1, 1), Float32Array.of(1, -1)];
  class TwoTokenSession extends MarkovSession {
    override readonly vocabSize: number = 2;
    override async next(tokens: Int32Array, rows: number): Promise<Float32Array> {
      const T = tokens.length / rows;
      const out = new Float32Array(rows * 2);
      for (let r = 0; r < rows; r++) out.set(table[tokens[r * T + T - 1]!]!, r * 2);
      return out;
    }
  }
  const banned: GenerationOptions = { ...base, maxNewTokens: 10, noRepeatNgramSize: 2, eosTokenIds: [] };

  it('greedy ends with the tokens it has', async () => {
    const result = await generate(new TwoTokenSession(table), [0], banned);
    // 0 → 1 (bigram 0 1), 1 → 0 (1 0), then 0 → 0 is the only unused bigram, then 0 0 … every bigram used.
    expect(result.ids).toEqual([0, 1, 0, 0]);
    expect(Number.isFinite(result.score)).toBe(true);
  });

  for (const numBeams of [2, 3]) {
    it(`beam search (${numBeams} beams) ends with the best it has, no TypeError`, async () => {
      const result = await generate(new TwoTokenSession(table), [0], { ...banned, numBeams });
      // No bigram may repeat, so the longest sequences from [0] use each of 00 01 10 11 once: 0 1 1 0 0 and
      // 0 0 1 1 0 (equal scores: the same bigrams). The beams reach them, then everything is banned: one of
      // them is returned, scored as a running beam (sum of log-probs over its 4 generated tokens).
      const scoreOf = (ids: number[]) => ids.slice(1).reduce((s, t, i) => s + logSoftmax(table[ids[i]!]!)[t]!, 0) / (ids.length - 1);
      expect([[0, 1, 1, 0, 0], [0, 0, 1, 1, 0]]).toContainEqual(result.ids);
      expect(result.score).toBeCloseTo(scoreOf(result.ids), 6);
      expect(Number.isFinite(result.score)).toBe(true);
    });
  }

  it('beam search whose beams all hit -Infinity everywhere (every token banned at once) returns the prompt + what came before', async () => {
    // With n = 1 every token already in the sequence is banned: after [0] and [1] appear, nothing is left.
    const result = await generate(new TwoTokenSession(table), [0], { ...banned, noRepeatNgramSize: 1, numBeams: 2 });
    expect(result.ids).toEqual([0, 1]);
    expect(Number.isFinite(result.score)).toBe(true);
  });
});

describe('generate() checks its own counts (for callers that skip the task checks)', () => {
  for (const [key, value] of [['numBeams', 2.5], ['numBeams', 0], ['maxNewTokens', 2.5], ['maxNewTokens', 0], ['maxNewTokens', NaN]] as const) {
    it(`${key}: ${value} is bad-input`, async () => {
      const run = generate(new MarkovSession(markovTable(1)), [0], { ...base, [key]: value });
      await expect(run).rejects.toSatisfy((e: unknown) => isIrisError(e, 'bad-input') && (e as Error).message.startsWith(key));
    });
  }
});
