/**
 * Decoding strategies over any decoder that returns next-token logits: greedy and beam search, with the
 * logits processors of Hugging Face's `generate` (min_length, no_repeat_ngram_size, repetition_penalty).
 * Lengths follow transformers: `minLength` counts the whole sequence including the prompt tokens.
 */
import { IrisError, throwIfAborted } from '../errors';

export interface DecoderSession {
  readonly vocabSize: number;
  /** Runs `tokens` ([rows, T], row-major) and returns the last position's logits of each row, [rows, V]. */
  next(tokens: Int32Array, rows: number): Promise<Float32Array>;
  /** Beam search: row b continues from row `sources[b]` (applied before the next `next`). */
  reorder(sources: number[]): void;
}

export interface GenerationOptions {
  maxNewTokens: number;
  numBeams: number;
  minLength: number;
  lengthPenalty: number;
  earlyStopping: boolean | 'never';
  noRepeatNgramSize: number;
  repetitionPenalty: number;
  eosTokenIds: number[];
  /** Called after each step with the best sequence so far (prompt included) — for streaming. */
  onStep?: (ids: readonly number[]) => void;
  signal?: AbortSignal;
}

export interface GenerationResult {
  /** The chosen sequence, prompt included, ending with EOS if one was produced. */
  ids: number[];
  /** Raw logits of each step for the chosen sequence (greedy only; used to compare with transformers). */
  stepLogits?: Float32Array[];
  score: number;
}

export async function generate(session: DecoderSession, prompt: number[], options: GenerationOptions): Promise<GenerationResult> {
  if (prompt.length === 0) throw new IrisError('bad-input', 'Generation needs at least one prompt token.');
  if (options.numBeams < 1 || !Number.isInteger(options.numBeams)) throw new IrisError('bad-input', `numBeams must be a positive integer, got ${options.numBeams}.`);
  return options.numBeams === 1 ? greedy(session, prompt, options) : beamSearch(session, prompt, options);
}

async function greedy(session: DecoderSession, prompt: number[], o: GenerationOptions): Promise<GenerationResult> {
  const ids = [...prompt];
  const stepLogits: Float32Array[] = [];
  let feed = Int32Array.from(prompt);
  let score = 0;
  for (let step = 0; step < o.maxNewTokens; step++) {
    throwIfAborted(o.signal, 'Caption generation');
    const logits = await session.next(feed, 1);
    stepLogits.push(logits.slice());
    processLogits(logits, ids, o);
    const token = argmax(logits);
    score += logSoftmaxAt(logits, token);
    ids.push(token);
    o.onStep?.(ids);
    if (o.eosTokenIds.includes(token)) break;
    feed = Int32Array.of(token);
  }
  return { ids, stepLogits, score };
}

interface Hypothesis {
  ids: number[];
  score: number;
}

async function beamSearch(session: DecoderSession, prompt: number[], o: GenerationOptions): Promise<GenerationResult> {
  const beams = o.numBeams;
  const V = session.vocabSize;
  let sequences = Array.from({ length: beams }, () => [...prompt]);
  // Only the first beam is live at the start, so the first step picks `beams` distinct tokens.
  let beamScores: number[] = Array.from({ length: beams }, (_, b) => (b === 0 ? 0 : -1e9));
  const finished: Hypothesis[] = [];
  const lengthScore = (sumLogprobs: number, generated: number) => sumLogprobs / generated ** o.lengthPenalty;
  let feed = new Int32Array(beams * prompt.length);
  for (let b = 0; b < beams; b++) feed.set(prompt, b * prompt.length);

  for (let step = 0; step < o.maxNewTokens; step++) {
    throwIfAborted(o.signal, 'Caption generation');
    const logits = await session.next(feed, beams);
    // The loop below consumes candidates best first until `beams` of them continue a sequence; every other
    // one it consumes is an EOS (at most one per beam and EOS id), so the best beams · (1 + #EOS ids) are
    // all it can reach. Selecting those (in the order a full stable sort would give) instead of sorting all
    // beams · V of them keeps a beam step O(V): sorting 3 · 50257 objects took ~0.2 s per step.
    const rows: Float32Array[] = [];
    for (let b = 0; b < beams; b++) {
      const row = logits.subarray(b * V, (b + 1) * V);
      logSoftmaxInPlace(row);
      processLogits(row, sequences[b]!, o);
      rows.push(row);
    }
    const candidates = bestCandidates(rows, beamScores, beams * (1 + o.eosTokenIds.length));

    const generated = sequences[0]!.length - prompt.length; // tokens generated before this step
    const nextSequences: number[][] = [];
    const nextScores: number[] = [];
    const sources: number[] = [];
    for (let rank = 0; rank < candidates.length && nextSequences.length < beams; rank++) {
      const c = candidates[rank]!;
      if (o.eosTokenIds.includes(c.token)) {
        // Only EOS among the top `beams` candidates ends a hypothesis (as transformers' BeamSearchScorer).
        if (rank < beams) addHypothesis(finished, beams, { ids: [...sequences[c.beam]!, c.token], score: lengthScore(c.score, generated + 1) });
        continue;
      }
      nextSequences.push([...sequences[c.beam]!, c.token]);
      nextScores.push(c.score);
      sources.push(c.beam);
    }
    sequences = nextSequences;
    beamScores = nextScores;
    session.reorder(sources);
    o.onStep?.(bestSoFar(finished, sequences, beamScores, generated + 1, lengthScore).ids);

    if (isDone(finished, beams, Math.max(...beamScores), generated + 1, o, lengthScore)) break;
    feed = Int32Array.from(sequences.map((s) => s[s.length - 1]!));
  }
  const generated = sequences[0]!.length - prompt.length;
  for (let b = 0; b < sequences.length; b++) addHypothesis(finished, beams, { ids: sequences[b]!, score: lengthScore(beamScores[b]!, generated) });
  const best = finished.reduce((a, h) => (h.score > a.score ? h : a));
  return { ids: best.ids, score: best.score };
}

interface Candidate {
  score: number;
  beam: number;
  token: number;
}

/**
 * The `k` best candidates (row score + beam score, -Infinity excluded) over all rows, ordered as a stable
 * sort by descending score orders all of them: equal scores by beam, then by token.
 */
export function bestCandidates(rows: readonly Float32Array[], beamScores: readonly number[], k: number): Candidate[] {
  const all: Candidate[] = [];
  rows.forEach((row, beam) => {
    // Per row, the k best by descending score, ties in token order (a later equal score ranks after).
    const top: Candidate[] = [];
    const base = beamScores[beam]!;
    for (let token = 0; token < row.length; token++) {
      const score = row[token]! + base;
      if (!(score > -Infinity)) continue;
      if (top.length === k && !(score > top[k - 1]!.score)) continue;
      let at = top.length === k ? k - 1 : top.length;
      while (at > 0 && top[at - 1]!.score < score) at--;
      if (top.length === k) top.pop();
      top.splice(at, 0, { score, beam, token });
    }
    all.push(...top);
  });
  all.sort((a, b) => b.score - a.score); // stable: rows were appended in beam order
  return all.slice(0, k);
}

function addHypothesis(finished: Hypothesis[], beams: number, h: Hypothesis): void {
  if (finished.length < beams) {
    finished.push(h);
    return;
  }
  const worst = finished.reduce((w, x, i) => (x.score < finished[w]!.score ? i : w), 0);
  if (h.score > finished[worst]!.score) finished[worst] = h;
}

function bestSoFar(finished: Hypothesis[], sequences: number[][], scores: number[], generated: number, lengthScore: (s: number, n: number) => number): Hypothesis {
  const running = sequences.map((ids, b) => ({ ids, score: lengthScore(scores[b]!, generated) }));
  return [...finished, ...running].reduce((a, h) => (h.score > a.score ? h : a));
}

function isDone(finished: Hypothesis[], beams: number, bestRunning: number, generated: number, o: GenerationOptions, lengthScore: (s: number, n: number) => number): boolean {
  if (finished.length < beams) return false;
  if (o.earlyStopping === true) return true;
  const worst = Math.min(...finished.map((h) => h.score));
  // false: transformers' heuristic (current length); 'never': the best reachable score within maxNewTokens.
  const length = o.earlyStopping === 'never' && o.lengthPenalty > 0 ? o.maxNewTokens : generated;
  return worst >= lengthScore(bestRunning, length);
}

/** In place: repetition penalty, n-gram blocking and the minimum length, as transformers applies them. */
export function processLogits(logits: Float32Array, ids: readonly number[], o: GenerationOptions): void {
  if (o.repetitionPenalty !== 1) {
    for (const t of new Set(ids)) {
      const v = logits[t]!;
      logits[t] = v < 0 ? v * o.repetitionPenalty : v / o.repetitionPenalty;
    }
  }
  const n = o.noRepeatNgramSize;
  if (n > 0 && ids.length + 1 >= n) {
    const prefix = ids.slice(ids.length - n + 1).join(',');
    for (let i = 0; i + n <= ids.length; i++) {
      if (ids.slice(i, i + n - 1).join(',') === prefix) logits[ids[i + n - 1]!] = -Infinity;
    }
  }
  if (ids.length < o.minLength) for (const eos of o.eosTokenIds) logits[eos] = -Infinity;
}

export function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

function logSumExp(values: Float32Array): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

function logSoftmaxAt(values: Float32Array, index: number): number {
  return values[index]! - logSumExp(values);
}

function logSoftmaxInPlace(values: Float32Array): void {
  const lse = logSumExp(values);
  for (let i = 0; i < values.length; i++) values[i] = values[i]! - lse;
}
