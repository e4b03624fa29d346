/**
 * Embeddings: token + position gather (shaders/embedding.wgsl), ViT patch embedding as im2col
 * (shaders/im2col.wgsl) + matmul, class token + position add (shaders/vision-embeddings.wgsl), and
 * one-row-per-batch pooling (shaders/select-rows.wgsl).
 */
import { IrisError } from '../errors';
import type { Recorder } from '../gpu/recorder';
import { packParams } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import embeddingSource from '../../shaders/embedding.wgsl?raw';
import im2colSource from '../../shaders/im2col.wgsl?raw';
import visionSource from '../../shaders/vision-embeddings.wgsl?raw';
import selectRowsSource from '../../shaders/select-rows.wgsl?raw';
import { assemble, elementTypeOf, expectDType, grid1d, shapeError } from './common';
import { matmul } from './matmul';

export interface EmbedOptions {
  /** Position table [P, H], same dtype as the token table; row t + positionOffset is added at position t. */
  positions?: Tensor;
  /** First position (KV-cache decoding continues where the prompt ended). Default 0. */
  positionOffset?: number;
  out?: Tensor;
}

/** ids [B, L] i32 (or u32) → table rows (+ positions) [B, L, H] f32. Ids outside [0, V) give zero rows. */
export function embed(rec: Recorder, ids: Tensor, table: Tensor, options: EmbedOptions = {}): Tensor {
  expectDType(ids, ['i32', 'u32'], 'embed', 'ids');
  const elementType = elementTypeOf(table, 'embed');
  if (ids.shape.length !== 2 || ids.size === 0) throw shapeError('embed', `ids [${ids.shape}] must be a non-empty [B, L].`);
  if (table.shape.length !== 2) throw shapeError('embed', `table [${table.shape}] must be [V, H].`);
  const [B, L] = ids.shape as [number, number];
  const [V, H] = table.shape as [number, number];
  const { positions } = options;
  const positionOffset = options.positionOffset ?? 0;
  if (!Number.isInteger(positionOffset) || positionOffset < 0) throw new IrisError('bad-input', `embed: positionOffset must be a non-negative integer, got ${positionOffset}.`);
  if (positions) {
    if (positions.dtype !== table.dtype) throw new IrisError('bad-input', `embed: positions (${positions.dtype}) and table (${table.dtype}) must share a dtype.`);
    if (positions.shape.length !== 2 || positions.shape[1] !== H) throw shapeError('embed', `positions [${positions.shape}] must be [P, ${H}].`);
    if (positionOffset + L > positions.shape[0]!) throw shapeError('embed', `positions [${positions.shape}] has no row ${positionOffset + L - 1} (positionOffset ${positionOffset} + length ${L}).`);
  }
  const out = options.out ?? rec.gpu.empty([B, L, H], 'f32', 'embed.out');
  if (out.size !== B * L * H || out.dtype !== 'f32') throw shapeError('embed', `out [${out.shape}] ${out.dtype} does not match [${B}, ${L}, ${H}] f32.`);

  rec.dispatch({
    shader: { name: 'embed', code: assemble(embeddingSource, { elementType }), constants: { HAS_POSITIONS: positions ? 1 : 0 } },
    params: packParams([['u32', B * L], ['u32', L], ['u32', H], ['u32', V], ['u32', positionOffset]]),
    bindings: [ids, table, positions ?? rec.gpu.placeholder, out],
    workgroups: grid1d(Math.ceil((B * L * H) / 64)),
    output: out,
  });
  return out;
}

/**
 * ViT patch embedding, Conv2d(C, hidden, kernel = stride = patch) without the convolution:
 * pixels [B, C, H, W] f32 → im2col [B, N, C·p·p] → · weightᵀ (+ bias) → [B, N, hidden] f32,
 * N = (H/p)·(W/p) in row-major patch order. weight [hidden, C, p, p] f32 or f16; bias [hidden] f32.
 */
export function patchEmbed(rec: Recorder, pixels: Tensor, weight: Tensor, bias: Tensor | undefined, patch: number): Tensor {
  expectDType(pixels, ['f32'], 'patchEmbed', 'pixels');
  if (pixels.shape.length !== 4) throw shapeError('patchEmbed', `pixels [${pixels.shape}] must be [B, C, H, W].`);
  const [B, C, H, W] = pixels.shape as [number, number, number, number];
  if (!Number.isInteger(patch) || patch < 1 || H % patch !== 0 || W % patch !== 0) {
    throw shapeError('patchEmbed', `the ${H}×${W} image is not a whole number of ${patch}×${patch} patches.`);
  }
  if (weight.shape.length !== 4 || weight.shape[1] !== C || weight.shape[2] !== patch || weight.shape[3] !== patch) {
    throw shapeError('patchEmbed', `weight [${weight.shape}] must be [hidden, ${C}, ${patch}, ${patch}].`);
  }
  if (bias) expectDType(bias, ['f32'], 'patchEmbed', 'bias'); // matmul's epilogue reads an f32 bias
  const hidden = weight.shape[0]!;
  const N = (H / patch) * (W / patch);
  const K = C * patch * patch;

  const cols = rec.gpu.empty([B, N, K], 'f32', 'im2col.out');
  rec.dispatch({
    shader: { name: 'im2col', code: assemble(im2colSource) },
    params: packParams([['u32', B], ['u32', C], ['u32', H], ['u32', W], ['u32', patch]]),
    bindings: [pixels, cols],
    workgroups: grid1d(Math.ceil((B * N * K) / 64)),
    output: cols,
  });
  const out = matmul(rec, cols, weight.reshape([hidden, K]), { transB: true, bias });
  rec.releaseAfterSubmit(cols);
  return out;
}

/** [class token; patches] + positions: patches [B, N, H] f32, classToken [H], positions [N + 1, H] → [B, N + 1, H] f32. */
export function visionEmbeddings(rec: Recorder, patches: Tensor, classToken: Tensor, positions: Tensor): Tensor {
  expectDType(patches, ['f32'], 'visionEmbeddings', 'patches');
  const elementType = elementTypeOf(classToken, 'visionEmbeddings');
  if (positions.dtype !== classToken.dtype) throw new IrisError('bad-input', `visionEmbeddings: positions (${positions.dtype}) and classToken (${classToken.dtype}) must share a dtype.`);
  if (patches.shape.length !== 3) throw shapeError('visionEmbeddings', `patches [${patches.shape}] must be [B, N, H].`);
  const [B, N, H] = patches.shape as [number, number, number];
  if (classToken.size !== H) throw shapeError('visionEmbeddings', `classToken [${classToken.shape}] must have ${H} values.`);
  if (positions.size !== (N + 1) * H) throw shapeError('visionEmbeddings', `positions [${positions.shape}] must be [${N + 1}, ${H}].`);
  const out = rec.gpu.empty([B, N + 1, H], 'f32', 'visionEmbeddings.out');

  rec.dispatch({
    shader: { name: 'visionEmbeddings', code: assemble(visionSource, { elementType }) },
    params: packParams([['u32', B], ['u32', N], ['u32', H]]),
    bindings: [patches, classToken, positions, out],
    workgroups: grid1d(Math.ceil((B * (N + 1) * H) / 64)),
    output: out,
  });
  return out;
}

/**
 * y[b] = x[b, rows[b]]: x [B, L, H] f32 → [B, H] f32. `rows` is a list (checked here) or a [B] u32/i32
 * tensor computed on the GPU (a row outside [0, L) then yields zeros).
 */
export function selectRows(rec: Recorder, x: Tensor, rows: number[] | Tensor): Tensor {
  expectDType(x, ['f32'], 'selectRows', 'x');
  if (x.shape.length !== 3) throw shapeError('selectRows', `x [${x.shape}] must be [B, L, H].`);
  const [B, L, H] = x.shape as [number, number, number];
  let rowBuffer: Tensor;
  if (Array.isArray(rows)) {
    if (rows.length !== B) throw shapeError('selectRows', `${rows.length} rows given for a batch of ${B}.`);
    const bad = rows.find((r) => !Number.isInteger(r) || r < 0 || r >= L);
    if (bad !== undefined) throw new IrisError('bad-input', `selectRows: row ${bad} is outside [0, ${L}).`);
    rowBuffer = rec.upload(new Uint32Array(rows), [B], 'u32', 'selectRows.rows');
  } else {
    expectDType(rows, ['u32', 'i32'], 'selectRows', 'rows');
    if (rows.size !== B) throw shapeError('selectRows', `rows [${rows.shape}] must have ${B} values.`);
    rowBuffer = rows;
  }
  const out = rec.gpu.empty([B, H], 'f32', 'selectRows.out');

  rec.dispatch({
    shader: { name: 'selectRows', code: assemble(selectRowsSource) },
    params: packParams([['u32', B], ['u32', L], ['u32', H]]),
    bindings: [x, rowBuffer, out],
    workgroups: grid1d(Math.ceil((B * H) / 64)),
    output: out,
  });
  return out;
}
