/**
 * The label embeddings of recent label sets, least recently used dropped first, within a byte budget:
 * a page that classifies against ever new label lists keeps at most LABEL_CACHE_BYTES of them.
 */
export const LABEL_CACHE_BYTES = 64 * 2 ** 20;

export class LabelEmbeddingCache {
  /** A Map iterates in insertion order: the first key is the least recently used. */
  private readonly entries = new Map<string, Float32Array>();
  private bytes = 0;

  constructor(readonly maxBytes = LABEL_CACHE_BYTES) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Float32Array | undefined {
    const value = this.entries.get(key);
    if (value) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Keeps `value` unless it alone exceeds the budget; evicts the least recently used to make room. */
  set(key: string, value: Float32Array): void {
    this.delete(key);
    if (value.byteLength > this.maxBytes) return;
    while (this.bytes + value.byteLength > this.maxBytes) this.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
    this.bytes += value.byteLength;
  }

  private delete(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.bytes -= old.byteLength;
  }
}
