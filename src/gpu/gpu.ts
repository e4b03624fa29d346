/**
 * The thin typed GPU layer every kernel and model uses: one device, its buffer pool and pipeline cache,
 * uploads and readbacks. `GpuRuntime` re-creates the whole thing after a device loss.
 */
import { IrisError } from '../errors';
import { acquireDevice, type AcquiredDevice, type AdapterDescription, type DeviceFeatures, type DeviceOptions } from './device';
import { BindingCache } from './bindings';
import { f16ArrayToF32, f32ArrayToF16 } from './half';
import { PipelineCache } from './pipelines';
import { BufferPool } from './pool';
import { StagingPool } from './staging';
import { byteSizeOf, numel, Tensor, type DType, type Shape } from './tensor';

export type HostArray = Float32Array | Uint16Array | Int32Array | Uint32Array;

export class Gpu {
  readonly device: GPUDevice;
  readonly adapter: AdapterDescription;
  readonly features: DeviceFeatures;
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  /** Uniform buffers and bind groups reused across dispatches and forward passes. */
  readonly bindings: BindingCache;
  /** Mappable buffers reused by the Recorder's uploads and readbacks. */
  readonly staging: StagingPool;
  /** Set when the device is lost; every later use must go through GpuRuntime.get() for a new one. */
  lost: GPUDeviceLostInfo | null = null;
  /** Kernels check every output for NaN/Inf and name the kernel that produced one (slow; for debugging). */
  debug = false;
  private dummy: GPUBuffer | null = null;
  /** Open scopes (innermost last): the activations each one allocated. */
  private readonly scopes: Tensor[][] = [];
  private weightBytes = 0;

  constructor(acquired: AcquiredDevice) {
    this.device = acquired.device;
    this.adapter = acquired.adapter;
    this.features = acquired.features;
    this.pool = new BufferPool(this.device);
    this.pipelines = new PipelineCache(this.device);
    this.bindings = new BindingCache(this.device);
    this.staging = new StagingPool(this.device);
    void this.device.lost.then((info) => {
      this.lost = info;
    });
  }

  /**
   * After a GPU call failed: whether the device is lost. Its `lost` promise settles a few milliseconds
   * after the first failed call, so it is given `graceMs`; then `lost` is set, before the caller's error
   * reaches anyone, so the next request already asks GpuRuntime for a new device.
   */
  async confirmLost(graceMs = 250): Promise<boolean> {
    if (this.lost) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const info = await Promise.race([this.device.lost, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), graceMs)))]);
    clearTimeout(timer);
    if (info) this.lost ??= info;
    return this.lost !== null;
  }

  static async create(gpu?: GPU, options?: DeviceOptions): Promise<Gpu> {
    return new Gpu(await acquireDevice(gpu, options));
  }

  /** GPU memory held by weights and the activation pool, in bytes. */
  get bytesAllocated(): number {
    return this.weightBytes + this.pool.bytesAllocated;
  }

  /** Uploads host data into a new, dedicated buffer (weights; not pooled). f32 data → f16 when asked. */
  upload(data: HostArray, shape: Shape, dtype: DType, label?: string): Tensor {
    if (numel(shape) !== data.length) throw new IrisError('tensor-shape', `${label ?? 'upload'}: [${shape}] needs ${numel(shape)} values, got ${data.length}.`);
    const tensor = this.weight(shape, dtype, label, true);
    new Uint8Array(tensor.buffer.getMappedRange()).set(hostBytes(data, dtype));
    tensor.buffer.unmap();
    return tensor;
  }

  /**
   * A new, dedicated buffer for a weight that a kernel fills (e.g. a transposed layout); counted with the
   * weights and destroyed by `release()`. Mapped for writing when `mapped`.
   */
  weight(shape: Shape, dtype: DType, label?: string, mapped = false): Tensor {
    const buffer = this.device.createBuffer({
      size: Math.max(byteSizeOf(shape, dtype), 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      mappedAtCreation: mapped,
      label,
    });
    this.weightBytes += buffer.size;
    return new Tensor(buffer, shape, dtype, (b) => {
      this.weightBytes -= b.size;
      b.destroy();
    });
  }

  /** A pooled buffer for an activation; `tensor.release()` hands it back. Contents are undefined. */
  empty(shape: Shape, dtype: DType = 'f32', label?: string): Tensor {
    const buffer = this.pool.acquire(byteSizeOf(shape, dtype), label);
    const tensor = new Tensor(buffer, shape, dtype, (b) => this.pool.release(b));
    this.scopes.at(-1)?.push(tensor);
    return tensor;
  }

  /**
   * Runs `body` and frees every activation allocated while it ran except the tensors it returns (a Tensor,
   * or arrays and plain objects holding them), which pass to the enclosing scope; `consumed` tensors are freed too.
   * Freeing before the submit is safe: the recording runs in order, so a buffer handed out again is only
   * written after every dispatch recorded so far has read it. Release nothing by hand inside a scope.
   */
  scope<T>(body: () => T, ...consumed: Tensor[]): T {
    const made: Tensor[] = [];
    this.scopes.push(made);
    let result: T;
    try {
      result = body();
    } catch (error) {
      for (const t of made) t.release();
      throw error;
    } finally {
      this.scopes.pop();
    }
    const kept = new Set(tensorsIn(result).map((t) => t.buffer));
    for (const t of made) {
      if (kept.has(t.buffer)) this.scopes.at(-1)?.push(t);
      else t.release();
    }
    for (const t of consumed) t.release();
    return result;
  }

  /**
   * A pooled tensor filled with `data` now (queue.writeBuffer). Only for use outside a recording: inside
   * one, use `Recorder.upload`, which orders the write with the recorded dispatches.
   */
  fromHost(data: HostArray, shape: Shape, dtype: DType, label?: string): Tensor {
    const tensor = this.empty(shape, dtype, label);
    this.device.queue.writeBuffer(tensor.buffer, 0, hostBytes(data, dtype));
    return tensor;
  }

  /** A 16-byte storage buffer bound where a kernel's optional input (bias, residual, mask) is absent. */
  get placeholder(): GPUBuffer {
    this.dummy ??= this.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE, label: 'placeholder' });
    return this.dummy;
  }

  destroy(): void {
    this.bindings.clear();
    this.staging.destroy();
    this.pool.destroy();
    this.device.destroy();
  }
}

/** The tensors in a scope's result: itself, or those in its arrays and plain objects, at any depth. */
function tensorsIn(value: unknown): Tensor[] {
  if (value instanceof Tensor) return [value];
  if (Array.isArray(value)) return value.flatMap(tensorsIn);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).flatMap(tensorsIn);
  return [];
}

export function hostBytes(data: HostArray, dtype: DType): Uint8Array<ArrayBuffer> {
  if (dtype === 'f16' && data instanceof Float32Array) data = f32ArrayToF16(data);
  return new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
}

export function toHost(bytes: ArrayBuffer, tensor: Tensor): Float32Array | Int32Array | Uint32Array {
  switch (tensor.dtype) {
    case 'f32':
      return new Float32Array(bytes, 0, tensor.size);
    case 'f16':
      return f16ArrayToF32(new Uint16Array(bytes, 0, tensor.size));
    case 'i32':
      return new Int32Array(bytes, 0, tensor.size);
    case 'u32':
      return new Uint32Array(bytes, 0, tensor.size);
  }
}

/**
 * Owns "the current Gpu". After a device loss the next `get()` acquires a new device and bumps
 * `generation`, so models that cached weights on the old device know to upload them again.
 */
export class GpuRuntime {
  private current: Promise<Gpu> | null = null;
  private created: Gpu | null = null;
  generation = 0;

  constructor(
    private readonly gpu?: GPU,
    private readonly options?: DeviceOptions,
  ) {}

  async get(): Promise<Gpu> {
    if (this.current) {
      const gpu = await this.current.catch(() => null);
      if (gpu && !gpu.lost) return gpu;
    }
    this.generation++;
    this.created = null;
    this.current = Gpu.create(this.gpu, this.options).then((gpu) => (this.created = gpu));
    return this.current;
  }

  /** The Gpu the last get() created, if it was (never creates one). */
  get active(): Gpu | null {
    return this.created;
  }
}
