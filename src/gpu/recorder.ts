/**
 * Records a whole forward pass into one command encoder: kernels append dispatches to a single compute
 * pass, readbacks are copies scheduled at the end, and `submit()` does one queue submit and one wait.
 *
 * Binding convention for every Iris shader: @group(0) @binding(0) is the uniform parameter struct (when the
 * kernel has parameters), then the storage buffers in the order the wrapper lists them.
 */
import { IrisError } from '../errors';
import { hostBytes, toHost, type Gpu, type HostArray } from './gpu';
import type { ShaderSpec } from './pipelines';
import type { DType, Shape, Tensor } from './tensor';

export type Binding = Tensor | GPUBuffer;

export interface Dispatch {
  shader: ShaderSpec;
  /** Uniform parameters, packed as the shader's `Params` struct (see `packParams`). */
  params?: ArrayBuffer;
  bindings: Binding[];
  workgroups: readonly [number, number?, number?];
  /** The tensor this dispatch writes; checked for NaN/Inf in debug mode. */
  output?: Tensor;
}

interface PendingRead {
  tensor: Tensor;
  staging: GPUBuffer;
  resolve: (data: Float32Array | Int32Array | Uint32Array) => void;
}

/** Timestamps written at the beginning and end of each compute pass (two per pass). */
interface PassTiming {
  querySet: GPUQuerySet;
  passes: number;
  capacity: number;
  resolve: (ms: number | null) => void;
}

interface DebugSnapshot {
  kernel: string;
  tensor: Tensor;
  staging: GPUBuffer;
}

export class Recorder {
  private readonly encoder: GPUCommandEncoder;
  private pass: GPUComputePassEncoder | null = null;
  private readonly reads: PendingRead[] = [];
  private readonly snapshots: DebugSnapshot[] = [];
  protected readonly temporaries: Tensor[] = [];
  private readonly staging: GPUBuffer[] = [];
  private timing: PassTiming | null = null;
  dispatchCount = 0;

  constructor(
    readonly gpu: Gpu,
    readonly label = 'forward',
    /** SpecCollector: no error scopes (nothing is submitted). */
    collectOnly = false,
  ) {
    if (gpu.lost) throw new IrisError('device-lost', 'The GPU device was lost; Iris will re-create it on the next request.');
    if (!collectOnly) {
      gpu.device.pushErrorScope('out-of-memory');
      gpu.device.pushErrorScope('validation');
    }
    this.encoder = gpu.device.createCommandEncoder({ label });
  }

  dispatch(d: Dispatch): void {
    const pipeline = this.gpu.pipelines.get(d.shader);
    // Parameters live in a content-addressed uniform buffer and the bind group is cached: a dispatch seen
    // before (same pipeline, same buffers, same parameters) creates and writes nothing (gpu/bindings.ts).
    const buffers: GPUBuffer[] = [];
    if (d.params) buffers.push(this.gpu.bindings.uniform(d.params));
    for (const b of d.bindings) buffers.push('buffer' in b ? b.buffer : b);
    const bindGroup = this.gpu.bindings.bindGroup(pipeline, buffers, d.shader.name);
    this.pass ??= this.beginPass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    const [x, y = 1, z = 1] = d.workgroups;
    this.pass.dispatchWorkgroups(x, y, z);
    this.dispatchCount++;
    if (this.gpu.debug && d.output) this.snapshot(d.shader.name, d.output);
  }

  /**
   * A pooled tensor holding `data` from this point of the recording on. The data goes through a staging
   * copy recorded in order: a queue.writeBuffer would land before the whole submit, and the pool may hand
   * out a buffer that earlier dispatches of this same recording still write.
   */
  upload(data: HostArray, shape: Shape, dtype: DType, label?: string): Tensor {
    const tensor = this.gpu.empty(shape, dtype, label);
    const bytes = hostBytes(data, dtype);
    const size = Math.ceil(bytes.byteLength / 4) * 4;
    const staging = this.gpu.staging.upload(size);
    new Uint8Array(staging.getMappedRange()).set(bytes);
    staging.unmap();
    this.staging.push(staging);
    this.endPass();
    this.encoder.copyBufferToBuffer(staging, 0, tensor.buffer, 0, size);
    this.releaseAfterSubmit(tensor);
    return tensor;
  }

  /** Copies between buffers (ends the current compute pass; the next dispatch starts a new one). */
  copy(src: Tensor, dst: Tensor, srcOffsetBytes = 0, dstOffsetBytes = 0, bytes = src.byteLength): void {
    this.endPass();
    this.encoder.copyBufferToBuffer(src.buffer, srcOffsetBytes, dst.buffer, dstOffsetBytes, bytes);
  }

  /**
   * GPU time of this recording: every compute pass (up to `maxPasses`) writes timestamps at its beginning
   * and end, and the promise resolves after `submit()` to their summed durations in ms. Null where the
   * device has no `timestamp-query` or more passes ran. For benchmarks: wall-clock time around a submit
   * also counts the submit and the wait, which on a GPU can outlast a small kernel many times over.
   */
  measureGpuTime(maxPasses = 16): Promise<number | null> {
    if (!this.gpu.features.timestampQuery || this.dispatchCount > 0) return Promise.resolve(null);
    const querySet = this.gpu.device.createQuerySet({ type: 'timestamp', count: 2 * maxPasses, label: `${this.label} timestamps` });
    return new Promise((resolve) => { this.timing = { querySet, passes: 0, capacity: maxPasses, resolve }; });
  }

  /** Schedules a readback; the promise resolves after `submit()`. */
  read(tensor: Tensor): Promise<Float32Array | Int32Array | Uint32Array> {
    this.endPass();
    const staging = this.gpu.staging.readback(tensor.byteLength);
    this.encoder.copyBufferToBuffer(tensor.buffer, 0, staging, 0, tensor.byteLength);
    return new Promise((resolve) => this.reads.push({ tensor, staging, resolve }));
  }

  /**
   * A block of the forward pass that frees what it made: every activation allocated in `body` except what
   * it returns, and the `consumed` inputs (e.g. the residual stream the block replaces). See Gpu.scope.
   */
  scope<T>(body: () => T, ...consumed: Tensor[]): T {
    return this.gpu.scope(body, ...consumed);
  }

  /** Releases `tensor` back to the pool once this recording has been submitted. */
  releaseAfterSubmit(...tensors: Tensor[]): void {
    this.temporaries.push(...tensors);
  }

  async submit(): Promise<void> {
    this.endPass();
    const readTimestamps = this.recordTimestampCopy();
    const { device } = this.gpu;
    device.queue.submit([this.encoder.finish()]);
    for (const t of this.temporaries) t.release();
    for (const b of this.staging) this.gpu.staging.recycleUpload(b);
    const validation = device.popErrorScope();
    const memory = device.popErrorScope();
    try {
      await Promise.all([
        ...this.reads.map(async (r) => {
          await r.staging.mapAsync(GPUMapMode.READ);
          r.resolve(toHost(r.staging.getMappedRange().slice(0, r.tensor.byteLength), r.tensor));
          this.gpu.staging.recycleReadback(r.staging);
        }),
        ...this.snapshots.map((s) => s.staging.mapAsync(GPUMapMode.READ)),
        readTimestamps(),
      ]);
    } catch (error) {
      // A lost device fails mapAsync before its `lost` promise settles: confirm it, so the error says so.
      if (!(await this.gpu.confirmLost())) throw error;
    }
    const [validationError, memoryError] = await Promise.all([validation, memory]);
    if (this.gpu.lost) throw new IrisError('device-lost', `The GPU device was lost during ${this.label} (${this.gpu.lost.reason}: ${this.gpu.lost.message}). Try again; Iris re-creates the device.`);
    if (memoryError) throw new IrisError('gpu-error', `The GPU ran out of memory during ${this.label}: ${memoryError.message}`, { hint: 'Close other GPU-heavy tabs or use a smaller model.' });
    if (validationError) throw new IrisError('gpu-error', `WebGPU rejected ${this.label}: ${validationError.message}`);
    this.checkSnapshots();
  }

  private beginPass(): GPUComputePassEncoder {
    const t = this.timing;
    if (!t || t.passes >= t.capacity) {
      if (t) t.passes = t.capacity + 1; // over capacity: the measurement is incomplete
      return this.encoder.beginComputePass({ label: this.label });
    }
    const index = 2 * t.passes++;
    return this.encoder.beginComputePass({
      label: this.label,
      timestampWrites: { querySet: t.querySet, beginningOfPassWriteIndex: index, endOfPassWriteIndex: index + 1 },
    });
  }

  /**
   * Records the copy of the pass timestamps into a readback buffer (before the encoder is finished) and
   * returns what reads and sums them once the submit has run.
   */
  private recordTimestampCopy(): () => Promise<void> {
    const t = this.timing;
    this.timing = null;
    if (!t) return async () => {};
    if (t.passes === 0 || t.passes > t.capacity) {
      t.querySet.destroy();
      t.resolve(null);
      return async () => {};
    }
    const bytes = 16 * t.passes;
    const resolved = this.gpu.device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const staging = this.gpu.staging.readback(bytes);
    this.encoder.resolveQuerySet(t.querySet, 0, 2 * t.passes, resolved, 0);
    this.encoder.copyBufferToBuffer(resolved, 0, staging, 0, bytes);
    return async () => {
      try {
        await staging.mapAsync(GPUMapMode.READ);
        const ns = new BigUint64Array(staging.getMappedRange(0, bytes).slice(0));
        this.gpu.staging.recycleReadback(staging);
        let total = 0;
        for (let i = 0; i < t.passes; i++) total += Number(ns[2 * i + 1]! - ns[2 * i]!);
        t.resolve(total / 1e6);
      } catch (error) {
        t.resolve(null);
        throw error;
      } finally {
        resolved.destroy();
        t.querySet.destroy();
      }
    };
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  private snapshot(kernel: string, tensor: Tensor): void {
    this.endPass();
    const staging = this.gpu.device.createBuffer({ size: tensor.byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.encoder.copyBufferToBuffer(tensor.buffer, 0, staging, 0, tensor.byteLength);
    this.snapshots.push({ kernel, tensor, staging });
  }

  private checkSnapshots(): void {
    for (const s of this.snapshots) {
      const values = toHost(s.staging.getMappedRange().slice(0), s.tensor);
      s.staging.destroy();
      if (s.tensor.dtype !== 'f32' && s.tensor.dtype !== 'f16') continue;
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        throw new IrisError('non-finite', `Kernel "${s.kernel}" wrote ${values[bad]} at element ${bad} of its [${s.tensor.shape}] output (debug mode).`);
      }
    }
  }
}

/**
 * A recording that records nothing: the kernel wrappers check their arguments and allocate their outputs
 * as usual, but `dispatch` only collects the shader specs. A model runs its forward passes through one to
 * list every pipeline they need, for PipelineCache.prepare() at load time, with no GPU work. Copies and
 * reads do nothing; `finish()` returns the specs and releases the tensors handed to releaseAfterSubmit.
 */
export class SpecCollector extends Recorder {
  private readonly specs: ShaderSpec[] = [];

  constructor(gpu: Gpu) {
    super(gpu, 'collect', true);
  }

  override dispatch(d: Dispatch): void {
    this.specs.push(d.shader);
  }

  override upload(_data: HostArray, shape: Shape, dtype: DType, label?: string): Tensor {
    const tensor = this.gpu.empty(shape, dtype, label);
    this.releaseAfterSubmit(tensor);
    return tensor;
  }

  override copy(): void {}

  override read(): Promise<Float32Array | Int32Array | Uint32Array> {
    return new Promise(() => {});
  }

  override async submit(): Promise<void> {
    this.finish();
  }

  finish(): ShaderSpec[] {
    for (const t of this.temporaries.splice(0)) t.release();
    return this.specs;
  }
}

/** Packs a kernel's uniform `Params` struct: every field a 4-byte u32/i32/f32, in declaration order. */
export function packParams(fields: Array<['u32' | 'i32' | 'f32', number]>): ArrayBuffer {
  const size = Math.max(16, Math.ceil((fields.length * 4) / 16) * 16);
  const view = new DataView(new ArrayBuffer(size));
  fields.forEach(([type, value], i) => {
    if (type === 'f32') view.setFloat32(i * 4, value, true);
    else if (type === 'i32') view.setInt32(i * 4, value, true);
    else view.setUint32(i * 4, value, true);
  });
  return view.buffer;
}
