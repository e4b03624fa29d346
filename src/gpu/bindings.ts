/**
 * The per-dispatch objects that repeat from one forward pass to the next, created once and reused:
 *
 *   - one uniform buffer per distinct parameter block, keyed by its bytes and filled at creation
 *     (mappedAtCreation), so a dispatch whose shapes were seen before writes nothing to the queue;
 *   - one bind group per (pipeline, bound buffers): weights and pooled activation buffers are the same
 *     objects on every pass (the pool's buckets are last-in first-out, so two buffers of one size may
 *     swap roles on alternate passes: from the third pass on, a repeated forward pass creates no bind
 *     groups). Decoding steps miss only where a parameter changes with the position (attention's key
 *     count, the KV-cache append offset, the position embedding row).
 *
 * Both maps are LRU-bounded. Nothing is destroyed on eviction: a uniform buffer is a few bytes and may
 * still be bound by a recording that has not been submitted, so it is left to the garbage collector.
 */
export interface BindingStats {
  uniformHits: number;
  uniformMisses: number;
  bindGroupHits: number;
  bindGroupMisses: number;
}

const MAX_UNIFORMS = 4096;
const MAX_BIND_GROUPS = 4096;

export class BindingCache {
  private readonly uniforms = new Map<string, GPUBuffer>();
  private readonly groups = new Map<string, GPUBindGroup>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  readonly stats: BindingStats = { uniformHits: 0, uniformMisses: 0, bindGroupHits: 0, bindGroupMisses: 0 };

  constructor(private readonly device: GPUDevice) {}

  /** A uniform buffer holding exactly `params` (a multiple of 16 bytes, see packParams). Never write to it. */
  uniform(params: ArrayBuffer): GPUBuffer {
    const key = bytesKey(params);
    const cached = this.uniforms.get(key);
    if (cached) {
      this.stats.uniformHits++;
      touch(this.uniforms, key, cached);
      return cached;
    }
    this.stats.uniformMisses++;
    const buffer = this.device.createBuffer({ size: Math.max(16, params.byteLength), usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true, label: 'params' });
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(params));
    buffer.unmap();
    insert(this.uniforms, key, buffer, MAX_UNIFORMS);
    return buffer;
  }

  /** The bind group binding `buffers` (whole) to bindings 0, 1, … of `pipeline`'s group 0. */
  bindGroup(pipeline: GPUComputePipeline, buffers: readonly GPUBuffer[], label: string): GPUBindGroup {
    let key = `${this.id(pipeline)}`;
    for (const b of buffers) key += `,${this.id(b)}`;
    const cached = this.groups.get(key);
    if (cached) {
      this.stats.bindGroupHits++;
      touch(this.groups, key, cached);
      return cached;
    }
    this.stats.bindGroupMisses++;
    const group = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
      label,
    });
    insert(this.groups, key, group, MAX_BIND_GROUPS);
    return group;
  }

  clear(): void {
    this.uniforms.clear();
    this.groups.clear();
  }

  private id(object: object): number {
    let id = this.ids.get(object);
    if (id === undefined) this.ids.set(object, (id = this.nextId++));
    return id;
  }
}

/** Parameter blocks are 16–96 bytes: their u16 code units make a short, exact string key. */
function bytesKey(params: ArrayBuffer): string {
  return String.fromCharCode(...new Uint16Array(params));
}

/** Marks `key` most recently used (a Map iterates in insertion order). */
function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
}

function insert<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}
