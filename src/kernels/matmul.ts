/**
 * matmul: C = activation(A · op(B) + bias) + residual: shaders/matmul.wgsl, or for decoding steps
 * (M ≤ 4 rows) with a [N, K] weight the split-K GEMV of shaders/gemv-subgroups.wgsl / gemv.wgsl.
 *   A [..., M, K] f32.  B: a weight [N, K] (transB, PyTorch Linear) or [K, N] (GPT-2 Conv1D), f32 or f16,
 *   or a batched [batch, N, K] / [batch, K, N] with the same batch count as A.
 */
import { IrisError } from '../errors';
import type { Recorder } from '../gpu/recorder';
import { packParams } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import matmulSource from '../../shaders/matmul.wgsl?raw';
import padSource from '../../shaders/pad.wgsl?raw';
import matmulCommonSource from '../../shaders/matmul-common.wgsl?raw';
import gemvSource from '../../shaders/gemv.wgsl?raw';
import gemvSubgroupsSource from '../../shaders/gemv-subgroups.wgsl?raw';
import { ACTIVATION_CODE, assemble, elementTypeOf, grid1d, leadingSize, shapeError, type Activation } from './common';

export interface MatmulOptions {
  /** B is [N, K] (PyTorch nn.Linear weight). Default true. */
  transB?: boolean;
  bias?: Tensor;
  activation?: Activation;
  /** Added after the activation; same shape as the output. */
  residual?: Tensor;
  /** Write here instead of a new pooled tensor. */
  out?: Tensor;
  /**
   * Where in `out` the [batch, M, N] result goes: element (b, m, n) lands at
   * offset + b·batchStride + m·rowStride + n (defaults: dense). Used to append rows to a KV cache.
   */
  outView?: { offset: number; rowStride: number; batchStride: number };
}

/** A tile shape of shaders/matmul.wgsl: WG_X × WG_Y invocations, each a 4×4 block of C. */
interface Tile {
  WG_X: number;
  WG_Y: number;
}

/** 64×64: prefill-sized M (image tokens, prompts, batched texts). */
const LARGE_TILE: Tile = { WG_X: 16, WG_Y: 16 };

/**
 * 4×128: a decoding step with a [K, N] weight (no model has one since GPT-2's Conv1D weights are
 * transposed at load). gemv.wgsl's split-K over [K, N] that this replaced measured slower than this tile
 * on lavapipe (13 vs 9.6 ms at 1×3072×768) and SwiftShader (75 vs 31 ms).
 */
const SMALL_TILE: Tile = { WG_X: 32, WG_Y: 1 };

/**
 * Up to this many rows (a decoding step: one token per beam) a product with a [N, K] weight goes to the
 * split-K GEMV of shaders/gemv-subgroups.wgsl or gemv.wgsl, which streams B with many workgroups in flight.
 */
const GEMV_MAX_ROWS = 4;

/** Invocations sharing one output's sum over K in shaders/gemv.wgsl. */
const GEMV_SPLIT = 32;

const roundUp4 = (n: number) => Math.ceil(n / 4) * 4;

export function matmul(rec: Recorder, a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transB = options.transB ?? true;
  if (a.dtype !== 'f32') throw new IrisError('bad-input', `matmul: A must be f32, got ${a.dtype}.`);
  const weightType = elementTypeOf(b, 'matmul');
  if (a.shape.length < 2 || b.shape.length < 2) throw shapeError('matmul', `A [${a.shape}] and B [${b.shape}] need at least 2 dimensions.`);
  const M = a.shape[a.shape.length - 2]!;
  const K = a.shape[a.shape.length - 1]!;
  const batch = leadingSize(a.shape, 2);
  const bRows = b.shape[b.shape.length - 2]!;
  const bCols = b.shape[b.shape.length - 1]!;
  const [N, bK] = transB ? [bRows, bCols] : [bCols, bRows];
  const batchB = leadingSize(b.shape, 2);
  if (bK !== K) throw shapeError('matmul', `A [${a.shape}] and B [${b.shape}] (transB=${transB}) disagree on K (${K} vs ${bK}).`);
  if (batchB !== 1 && batchB !== batch) throw shapeError('matmul', `B [${b.shape}] has batch ${batchB}, A [${a.shape}] has ${batch}.`);
  if (options.bias && options.bias.size !== N) throw shapeError('matmul', `bias has ${options.bias.size} values, expected N = ${N}.`);
  if (options.bias && options.bias.dtype !== 'f32') throw new IrisError('bad-input', `matmul: bias must be f32, got ${options.bias.dtype}.`);
  const outShape = [...a.shape.slice(0, -1), N];
  if (options.residual && options.residual.size !== batch * M * N) throw shapeError('matmul', `residual [${options.residual.shape}] does not match output [${outShape}].`);
  const out = options.out ?? rec.gpu.empty(outShape, 'f32', 'matmul.out');
  const view = options.outView ?? { offset: 0, rowStride: N, batchStride: M * N };
  const lastElement = view.offset + (batch - 1) * view.batchStride + (M - 1) * view.rowStride + N;
  if (view.rowStride < N || lastElement > out.size) throw shapeError('matmul', `out [${out.shape}] cannot hold [${outShape}] at offset ${view.offset}, row stride ${view.rowStride}, batch stride ${view.batchStride}.`);

  // Vec4 loads need 4-aligned rows: pad K (and N for a [K, N] weight) with zeros when they are not.
  let aOp = a;
  let bOp = b;
  const K4 = roundUp4(K);
  const N4 = transB ? N : roundUp4(N);
  if (K4 !== K) aOp = pad(rec, a, batch, M, K, M, K4);
  if (K4 !== K || N4 !== N) bOp = transB ? pad(rec, b, batchB, N, K, N, K4) : pad(rec, b, batchB, K, N, K4, N4);
  const ldb = transB ? K4 : N4;

  // With one weight for every batch and a dense output, [batch, M] rows are one [batch·M] matrix: one
  // tile then spans batches (CLIP's text batches are 64 × ~10 tokens, not 64 matrices of 10 rows).
  const fold = batch > 1 && batchB === 1 && view.batchStride === M * view.rowStride;
  const rows = fold ? batch * M : M;
  const groups = fold ? 1 : batch;
  const params = packParams([
    ['u32', rows], ['u32', N], ['u32', K4],
    ['u32', K4], ['u32', ldb], ['u32', view.rowStride],
    ['u32', M * K4], ['u32', batchB === 1 ? 0 : (transB ? N * K4 : K4 * N4)], ['u32', view.batchStride],
    ['u32', view.offset],
  ]);
  const epilogue = {
    HAS_BIAS: options.bias ? 1 : 0,
    HAS_RESIDUAL: options.residual ? 1 : 0,
    ACTIVATION: ACTIVATION_CODE[options.activation ?? 'none'],
  };
  const bindings = [aOp, bOp, options.bias ?? rec.gpu.placeholder, options.residual ?? rec.gpu.placeholder, out];

  if (rows <= GEMV_MAX_ROWS && transB) {
    const gemv = gemvShader(rec, weightType, epilogue);
    rec.dispatch({ shader: gemv.shader, params, bindings, workgroups: [Math.ceil(N / gemv.columnsPerWorkgroup), 1, groups], output: out });
  } else {
    const tile = rows <= GEMV_MAX_ROWS ? SMALL_TILE : LARGE_TILE;
    rec.dispatch({
      shader: {
        name: 'matmul',
        code: assemble(matmulSource, { elementType: weightType, activations: true, preludes: [matmulCommonSource] }),
        constants: { TRANS_B: transB ? 1 : 0, ...epilogue, ...tile },
      },
      params,
      bindings,
      workgroups: [Math.ceil(N / (4 * tile.WG_X)), Math.ceil(rows / (4 * tile.WG_Y)), groups],
      output: out,
    });
  }
  if (aOp !== a) rec.releaseAfterSubmit(aOp);
  if (bOp !== b) rec.releaseAfterSubmit(bOp);
  return out;
}

/**
 * The decoding-step kernel for a [N, K] weight: with subgroups, subgroupAdd sums (two columns per subgroup
 * of the 64-invocation workgroup); otherwise gemv.wgsl's workgroup-memory sums.
 */
function gemvShader(rec: Recorder, weightType: 'f32' | 'f16', epilogue: Record<string, number>) {
  const { subgroups, subgroupMaxSize } = rec.gpu.features;
  if (subgroups) {
    const columnsPerWorkgroup = 2 * Math.max(1, 64 / (subgroupMaxSize || 32));
    return {
      columnsPerWorkgroup,
      shader: {
        name: 'gemvSubgroups',
        code: assemble(gemvSubgroupsSource, { elementType: weightType, activations: true, subgroups: true, preludes: [matmulCommonSource] }),
        constants: { ...epilogue, COLS: columnsPerWorkgroup },
      },
    };
  }
  return {
    columnsPerWorkgroup: 256 / GEMV_SPLIT,
    shader: {
      name: 'gemv',
      code: assemble(gemvSource, { elementType: weightType, activations: true, preludes: [matmulCommonSource] }),
      constants: { ...epilogue, SPLIT: GEMV_SPLIT },
    },
  };
}

/** Zero-pads [batch, rows, cols] → [batch, rowsOut, colsOut]. */
function pad(rec: Recorder, src: Tensor, batch: number, rows: number, cols: number, rowsOut: number, colsOut: number): Tensor {
  const elementType = elementTypeOf(src, 'pad');
  const dst = rec.gpu.empty([batch, rowsOut, colsOut], src.dtype, 'pad.out');
  rec.dispatch({
    shader: { name: 'pad', code: assemble(padSource, { elementType }) },
    params: packParams([['u32', batch], ['u32', rows], ['u32', cols], ['u32', rowsOut], ['u32', colsOut]]),
    bindings: [src, dst],
    workgroups: grid1d(Math.ceil((batch * rowsOut * colsOut) / 64)),
    output: dst,
  });
  return dst;
}
