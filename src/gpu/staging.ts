/**
 * Mappable buffers for the Recorder's uploads (MAP_WRITE | COPY_SRC) and readbacks (MAP_READ | COPY_DST),
 * reused between recordings. A decoding step uploads its token ids and reads back its logits for every
 * token; in a browser each new mappable buffer costs an IPC round and a shared-memory mapping.
 * An upload buffer returns to the pool once it is mapped again (the GPU has copied out of it); a readback
 * buffer once its data has been copied out and it is unmapped. Buckets are sizes rounded up to 256 bytes,
 * a few buffers each; destroy() frees them.
 */
export class StagingPool {
  private readonly uploads = new Map<number, GPUBuffer[]>(); // mapped, ready to be written
  private readonly readbacks = new Map<number, GPUBuffer[]>(); // unmapped, ready to be copied into
  private destroyed = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly perBucket = 4,
  ) {}

  /** A mapped buffer of at least `byteLength` bytes: write it, unmap it, copy from it, then recycleUpload. */
  upload(byteLength: number): GPUBuffer {
    const size = bucketSize(byteLength);
    return this.uploads.get(size)?.pop() ??
      this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC, mappedAtCreation: true, label: 'upload staging' });
  }

  /** After the submit that copies from `buffer`: pooled again once the GPU is done with it. */
  recycleUpload(buffer: GPUBuffer): void {
    buffer.mapAsync(GPUMapMode.WRITE).then(() => this.keep(this.uploads, buffer), () => buffer.destroy());
  }

  /** An unmapped buffer of at least `byteLength` bytes to copy into, map, read, then recycleReadback. */
  readback(byteLength: number): GPUBuffer {
    const size = bucketSize(byteLength);
    return this.readbacks.get(size)?.pop() ??
      this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'readback staging' });
  }

  /** After its mapped data has been copied out. */
  recycleReadback(buffer: GPUBuffer): void {
    buffer.unmap();
    this.keep(this.readbacks, buffer);
  }

  destroy(): void {
    this.destroyed = true;
    for (const buckets of [this.uploads, this.readbacks]) {
      for (const bucket of buckets.values()) for (const buffer of bucket) buffer.destroy();
      buckets.clear();
    }
  }

  private keep(buckets: Map<number, GPUBuffer[]>, buffer: GPUBuffer): void {
    const bucket = buckets.get(buffer.size) ?? [];
    if (this.destroyed || bucket.length >= this.perBucket) {
      buffer.destroy();
      return;
    }
    bucket.push(buffer);
    buckets.set(buffer.size, bucket);
  }
}

function bucketSize(byteLength: number): number {
  return Math.max(256, Math.ceil(byteLength / 256) * 256);
}
