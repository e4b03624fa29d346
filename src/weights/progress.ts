/** Per-file and overall byte counts of one load, reported often enough for a progress bar, not per packet. */
export interface LoadProgress {
  file: string;
  fileBytesDone: number;
  fileBytesTotal: number;
  /** Over every file of the load, cached ones included. Files are fetched small ones first, so the total
   * grows while the small files are discovered and is final before the weights start streaming. */
  bytesDone: number;
  bytesTotal: number;
}

export class ProgressTracker {
  private readonly files = new Map<string, { done: number; total: number; reported: number }>();

  constructor(private readonly listener?: (progress: LoadProgress) => void) {}

  update(file: string, done: number, total: number): void {
    if (!this.listener) return;
    let entry = this.files.get(file);
    if (!entry) this.files.set(file, (entry = { done, total, reported: -Infinity }));
    entry.done = done;
    entry.total = total;
    // The first and last update of a file always, and in between about every 0.5% (at least 64 KiB).
    if (done < total && done - entry.reported < Math.max(64 * 1024, total / 200)) return;
    entry.reported = done;
    let bytesDone = 0;
    let bytesTotal = 0;
    for (const f of this.files.values()) {
      bytesDone += f.done;
      bytesTotal += f.total;
    }
    this.listener({ file, fileBytesDone: done, fileBytesTotal: total, bytesDone, bytesTotal });
  }
}
