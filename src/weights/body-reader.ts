/** Reads a response body piece by piece, or an exact number of bytes at a time (for headers). */
export class BodyReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private leftover: Uint8Array | undefined;

  constructor(response: Response) {
    this.reader = response.body?.getReader();
  }

  /** The next piece of the body; undefined at its end. */
  async next(): Promise<Uint8Array | undefined> {
    if (this.leftover) {
      const piece = this.leftover;
      this.leftover = undefined;
      return piece;
    }
    for (;;) {
      const result = await this.reader?.read();
      if (!result || result.done) return undefined;
      if (result.value.byteLength > 0) return result.value;
    }
  }

  /** Exactly `n` bytes, or undefined if the body ends first. */
  async exactly(n: number): Promise<Uint8Array | undefined> {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const piece = await this.next();
      if (!piece) return undefined;
      const take = Math.min(piece.byteLength, n - filled);
      out.set(piece.subarray(0, take), filled);
      filled += take;
      if (take < piece.byteLength) this.leftover = piece.subarray(take);
    }
    return out;
  }

  /** Drops `n` bytes (a server that ignored our Range header re-sends what we already have). */
  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      const piece = await this.next();
      if (!piece) return false;
      if (piece.byteLength > left) this.leftover = piece.subarray(left);
      left -= Math.min(left, piece.byteLength);
    }
    return true;
  }

  cancel(): void {
    this.reader?.cancel().catch(() => undefined);
  }
}
