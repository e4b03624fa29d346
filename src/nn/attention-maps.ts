/**
 * Attention maps: the attention probabilities of chosen layers, captured alongside a normal forward pass,
 * and what is computed from them on the CPU (all small: [tokens, tokens] per head).
 *
 * Off by default. A model forward that is given no `AttentionCapture` records exactly the dispatches it
 * always did (the fused attention never materialises the probabilities). With a capture, each requested
 * layer ALSO runs `attentionProbs` on the very q/k views (and mask) its fused attention read, and the
 * probabilities are read back in the same submit.
 *
 *   const capture = AttentionCapture.create({ layers: 'all' }, tower.layers.length);
 *   ...record the forward, passing `capture`...
 *   await rec.submit();
 *   const probs = await capture!.results();   // one [batch, heads, queryLen, keyLen] tensor per layer
 *   const rollout = attentionRollout(probs);  // [batch, patches]
 */
import { IrisError } from '../errors';
import type { Recorder } from '../gpu/recorder';
import { attentionProbs, type AttentionArgs } from '../kernels/attention';

/** Which layers: indices from 0 (negative ones count from the end: -1 is the last layer), or all of them. */
export type LayerSelection = readonly number[] | 'all';

export interface AttentionRequest {
  layers: LayerSelection;
}

/** One layer's softmax probabilities, [batch, heads, queryLen, keyLen] row-major, as transformers' `output_attentions`. */
export interface AttentionProbs {
  layer: number;
  batch: number;
  heads: number;
  queryLen: number;
  keyLen: number;
  data: Float32Array;
}

/** Called by a model right after it records a layer's fused attention, with that attention's arguments. */
export type AttentionHook = (args: AttentionArgs) => void;

/** Layer indices 0 ≤ i < layerCount, sorted and de-duplicated; throws on anything out of range. */
export function resolveLayers(selection: LayerSelection, layerCount: number): number[] {
  if (selection === 'all') return Array.from({ length: layerCount }, (_, i) => i);
  const layers = selection.map((l) => {
    if (!Number.isInteger(l) || l >= layerCount || l < -layerCount) {
      throw new IrisError('bad-input', `Attention layer ${l} does not exist: the model has ${layerCount} layers (0..${layerCount - 1}, or -1 for the last).`);
    }
    return l < 0 ? layerCount + l : l;
  });
  return [...new Set(layers)].sort((a, b) => a - b);
}

interface Pending {
  layer: number;
  dims: Omit<AttentionProbs, 'layer' | 'data'>;
  data: Promise<Float32Array | Int32Array | Uint32Array>;
}

/** Collects the probabilities of the requested layers of one recorded forward pass. */
export class AttentionCapture {
  private readonly pending: Pending[] = [];

  private constructor(readonly layers: readonly number[]) {}

  /** A capture for `request`, or undefined when nothing is asked for (so the model keeps its plain path). */
  static create(request: AttentionRequest | undefined, layerCount: number): AttentionCapture | undefined {
    if (!request) return undefined;
    return new AttentionCapture(resolveLayers(request.layers, layerCount));
  }

  /** The hook for `layer` in `rec`, or undefined if that layer was not asked for. */
  hook(rec: Recorder, layer: number): AttentionHook | undefined {
    if (!this.layers.includes(layer)) return undefined;
    return (args) => this.record(rec, layer, args);
  }

  /**
   * Records `attentionProbs` with the same q/k views, mask and scale as the layer's attention (v and `out`
   * are not used) and schedules its readback. Must be called before q/k are released or overwritten.
   */
  record(rec: Recorder, layer: number, args: AttentionArgs): void {
    const { out: _out, ...same } = args;
    const probs = attentionProbs(rec, same);
    const { batch, heads, queryLen, keyLen } = args;
    this.pending.push({ layer, dims: { batch, heads, queryLen, keyLen }, data: rec.read(probs) });
    rec.releaseAfterSubmit(probs);
  }

  /** After `rec.submit()`: the captured layers in layer order (a layer recorded twice appears twice, in order). */
  async results(): Promise<AttentionProbs[]> {
    const done = await Promise.all(this.pending.map(async (p) => ({ layer: p.layer, ...p.dims, data: (await p.data) as Float32Array })));
    return done.sort((a, b) => a.layer - b.layer);
  }
}

/** Mean over heads of batch row `b`: [queryLen, keyLen] (float64). */
export function meanOverHeads(p: AttentionProbs, b = 0): Float64Array {
  const { heads, queryLen, keyLen, data } = p;
  if (!(b >= 0 && b < p.batch)) throw new IrisError('bad-input', `meanOverHeads: batch row ${b} of ${p.batch}.`);
  const size = queryLen * keyLen;
  const mean = new Float64Array(size);
  for (let h = 0; h < heads; h++) {
    const base = (b * heads + h) * size;
    for (let i = 0; i < size; i++) mean[i] = mean[i]! + data[base + i]!;
  }
  for (let i = 0; i < size; i++) mean[i] = mean[i]! / heads;
  return mean;
}

/**
 * Class-token attention rollout (Abnar & Zuidema 2020) of a ViT whose token 0 is the class token: per layer
 * A = mean over heads, B = 0.5·A + 0.5·I with rows normalised to sum 1, R = B_L ⋯ B_1; the result is
 * R[0, 1:] — how much the class token draws on each patch — for every batch row: [batch, tokens - 1].
 * `layers` are the encoder's self-attentions in forward order (normally all of them).
 */
export function attentionRollout(layers: readonly AttentionProbs[]): Float32Array {
  const first = layers[0];
  if (!first) throw new IrisError('bad-input', 'attentionRollout needs at least one layer of attention probabilities.');
  const { batch, queryLen: n } = first;
  for (const p of layers) {
    if (p.batch !== batch || p.queryLen !== n || p.keyLen !== n) {
      throw new IrisError('bad-input', `attentionRollout: every layer must be [${batch}, heads, ${n}, ${n}] self-attention, got [${p.batch}, ${p.heads}, ${p.queryLen}, ${p.keyLen}].`);
    }
  }
  const out = new Float32Array(batch * (n - 1));
  for (let b = 0; b < batch; b++) {
    let rollout: Float64Array | null = null;
    for (const p of layers) {
      const B = meanOverHeads(p, b);
      for (let i = 0; i < n; i++) {
        B[i * n + i] = B[i * n + i]! * 0.5 + 0.5;
        let sum = 0;
        for (let j = 0; j < n; j++) {
          if (j !== i) B[i * n + j] = B[i * n + j]! * 0.5;
          sum += B[i * n + j]!;
        }
        for (let j = 0; j < n; j++) B[i * n + j] = B[i * n + j]! / sum;
      }
      rollout = rollout ? matmulSquare(B, rollout, n) : B; // R ← B_l · R
    }
    for (let j = 1; j < n; j++) out[b * (n - 1) + j - 1] = rollout![j]!; // row 0 (class token), columns 1..n-1
  }
  return out;
}

function matmulSquare(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] = out[i * n + j]! + aik * b[k * n + j]!;
    }
  }
  return out;
}

/**
 * Rows `rows` of batch row `b`, averaged over heads, restricted to key columns [from, to): e.g. the
 * attention of text positions to the image tokens. One number[] of length to - from per row.
 */
export function headMeanRows(p: AttentionProbs, rows: readonly number[], from: number, to: number, b = 0): number[][] {
  if (!(from >= 0 && from <= to && to <= p.keyLen)) throw new IrisError('bad-input', `headMeanRows: columns [${from}, ${to}) of ${p.keyLen}.`);
  const mean = meanOverHeads(p, b);
  return rows.map((r) => {
    if (!(r >= 0 && r < p.queryLen)) throw new IrisError('bad-input', `headMeanRows: row ${r} of ${p.queryLen}.`);
    return Array.from(mean.subarray(r * p.keyLen + from, r * p.keyLen + to));
  });
}
