/** A tensor is a shape, an element type and the GPU buffer that holds it (row-major, densely packed). */
export type DType = 'f32' | 'f16' | 'i32' | 'u32';

export const DTYPE_BYTES: Record<DType, number> = { f32: 4, f16: 2, i32: 4, u32: 4 };

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** GPU buffers must be a multiple of 4 bytes (an f16 tensor of odd length is padded). */
export function byteSizeOf(shape: Shape, dtype: DType): number {
  return Math.ceil((numel(shape) * DTYPE_BYTES[dtype]) / 4) * 4;
}

export class Tensor {
  private released = false;

  constructor(
    readonly buffer: GPUBuffer,
    readonly shape: Shape,
    readonly dtype: DType,
    /** Called by release(): returns the buffer to the pool it came from. */
    private readonly onRelease?: (buffer: GPUBuffer) => void,
  ) {}

  get size(): number {
    return numel(this.shape);
  }

  get byteLength(): number {
    return byteSizeOf(this.shape, this.dtype);
  }

  /** A view of the same buffer with another shape of the same element count (no copy). */
  reshape(shape: Shape): Tensor {
    if (numel(shape) !== this.size) throw new Error(`reshape: [${this.shape}] has ${this.size} elements, [${shape}] has ${numel(shape)}`);
    return new Tensor(this.buffer, shape, this.dtype, this.onRelease);
  }

  /** Returns the buffer to where it came from; a second call does nothing (a scope may free what was freed). */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease?.(this.buffer);
  }
}
