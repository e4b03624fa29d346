/**
 * Reuses storage buffers between kernels and forward passes. A forward pass asks for the same sizes every
 * time, so buckets are exact sizes (rounded to 256 bytes) and a second pass allocates nothing.
 */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private allocatedBytes = 0;
  private liveBuffers = new Set<GPUBuffer>();

  constructor(private readonly device: GPUDevice) {}

  /** Bytes of GPU memory this pool has allocated and not destroyed. */
  get bytesAllocated(): number {
    return this.allocatedBytes;
  }

  acquire(byteLength: number, label?: string): GPUBuffer {
    const size = Math.max(256, Math.ceil(byteLength / 256) * 256);
    const bucket = this.free.get(size);
    const reused = bucket?.pop();
    if (reused) return reused;
    const buffer = this.device.createBuffer({
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      label,
    });
    this.allocatedBytes += size;
    this.liveBuffers.add(buffer);
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    if (!this.liveBuffers.has(buffer)) return; // not ours (a weight, or already destroyed)
    const bucket = this.free.get(buffer.size) ?? [];
    if (!bucket.includes(buffer)) bucket.push(buffer);
    this.free.set(buffer.size, bucket);
  }

  /** Frees the buffers nobody holds (after a large model is unloaded). */
  trim(): void {
    for (const bucket of this.free.values()) {
      for (const buffer of bucket) {
        this.allocatedBytes -= buffer.size;
        this.liveBuffers.delete(buffer);
        buffer.destroy();
      }
    }
    this.free.clear();
  }

  destroy(): void {
    for (const buffer of this.liveBuffers) buffer.destroy();
    this.liveBuffers.clear();
    this.free.clear();
    this.allocatedBytes = 0;
  }
}
