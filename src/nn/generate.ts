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
  /** Names the model in error messages (e.g. its Hub id). */
  modelName?: string;
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
  if (options.maxNewTokens < 1 || !Number.isInteger(options.maxNewTokens)) throw new IrisError('bad-input', `maxNewTokens must be a positive integer, got ${options.maxNewTokens}.`);
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
    requireFiniteLogits(logits, session.vocabSize, step, o);
    stepLogits.push(logits.slice());
    processLogits(logits, ids, o);
    const token = argmax(logits);
    if (!(logits[token]! > -Infinity)) break; // every token is banned (n-gram blocking): end with what there is
    score += logSoftmaxAt(logits, token);
    ids.push(token);
    o.onStep?.(ids);
    if (o.eosTokenIds.includes(token)) break;
    feed = Int32Array.of(token);
  }
  return { ids, stepLogits, score };
}

/**
 * NaN or ±Infinity in a decoder's raw logits is a numerical failure (most often f16 overflow): no token can be
 * chosen from them, so stop with a 'numerical-error' that names the model and the step. (The logits processors
 * set -Infinity on purpose afterwards; this looks at the model's output only.)
 */
export function requireFiniteLogits(logits: Float32Array, vocabSize: number, step: number, o: Pick<GenerationOptions, 'modelName'>): void {
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (Number.isFinite(v)) continue;
    const row = Math.floor(i / vocabSize);
    const where = logits.length > vocabSize ? ` (beam ${row}, token ${i - row * vocabSize})` : ` (token ${i})`;
    throw new IrisError('numerical-error', `${o.modelName ?? 'The model'} produced a logit of ${v} at decoding step ${step + 1}${where}, so no next token can be chosen.`, {
      hint: 'If it runs with f16 weights (precision "auto" with an f16 checkpoint, or "f16"), load it with precision: "f32"; otherwise the checkpoint may be broken.',
    });
  }
}

interface Hypothesis {
  ids: number[];
  score: number;
}

/**
 * Beam search as transformers' `generate(num_beams=…)` (4.5x `_beam_search`): each step takes the best
 * `max(2, 1 + #EOS) · beams` continuations over all beams; a continuation that ends (EOS, or the last step)
 * becomes a finished hypothesis if it ranks among the best `beams`, scored sum(log p) / generated^lengthPenalty
 * (generated tokens counted after the prompt, this one included); the best `beams` that go on are the next beams.
 * The search ends at maxNewTokens or when no running beam can beat the worst of `beams` finished hypotheses.
 */
async function beamSearch(session: DecoderSession, prompt: number[], o: GenerationOptions): Promise<GenerationResult> {
  const beams = o.numBeams;
  const V = session.vocabSize;
  const keep = Math.max(2, 1 + o.eosTokenIds.length) * beams;
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
    requireFiniteLogits(logits, V, step, o);
    const rows: Float32Array[] = [];
    for (let b = 0; b < beams; b++) {
      const row = logits.subarray(b * V, (b + 1) * V);
      logSoftmaxInPlace(row);
      processLogits(row, sequences[b]!, o);
      rows.push(row);
    }
    // Candidates are consumed best first; banned tokens (-Infinity) are not candidates at all.
    const candidates = bestCandidates(rows, beamScores, keep);
    if (candidates.length === 0) break; // every continuation of every beam is banned: end with what there is

    const generated = step + 1; // tokens after the prompt, this step's included
    const last = step === o.maxNewTokens - 1;
    const running: { ids: number[]; score: number; source: number }[] = [];
    candidates.forEach((c, rank) => {
      const ids = [...sequences[c.beam]!, c.token];
      if (last || o.eosTokenIds.includes(c.token)) {
        // Only the best `beams` candidates may finish; the rest are spares that keep `beams` sequences running.
        if (rank < beams) addHypothesis(finished, beams, { ids, score: lengthScore(c.score, generated) });
      } else if (running.length < beams) {
        running.push({ ids, score: c.score, source: c.beam });
      }
    });
    if (last || running.length === 0) break;
    // Fewer live continuations than beams (the rest banned): dead copies keep the row count, never chosen again.
    while (running.length < beams) running.push({ ...running[0]!, score: -Infinity });
    sequences = running.map((r) => r.ids);
    beamScores = running.map((r) => r.score);
    session.reorder(running.map((r) => r.source));
    o.onStep?.(bestOf([...finished, ...running.map((r) => ({ ids: r.ids, score: lengthScore(r.score, generated) }))]).ids);

    if (isDone(finished, beams, running[0]!.score, generated, o, lengthScore)) break;
    feed = Int32Array.from(sequences.map((s) => s[s.length - 1]!));
  }
  if (finished.length > 0) return bestOf(finished);
  // Nothing finished (every continuation was banned early): the best running sequence is what there is.
  const generated = sequences[0]!.length - prompt.length;
  return bestOf(sequences.map((ids, b) => ({ ids, score: generated === 0 ? 0 : lengthScore(beamScores[b]!, generated) })));
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
    for (const c of top) all.push(c);
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

/** The best-scored hypothesis; the first of equal ones. */
function bestOf(hypotheses: readonly Hypothesis[]): Hypothesis {
  return hypotheses.reduce((a, h) => (h.score > a.score ? h : a));
}

function isDone(finished: Hypothesis[], beams: number, bestRunning: number, generated: number, o: GenerationOptions, lengthScore: (s: number, n: number) => number): boolean {
  if (finished.length < beams) return false;
  if (o.earlyStopping === true) return true;
  let worst = Infinity;
  for (const h of finished) worst = Math.min(worst, h.score);
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
