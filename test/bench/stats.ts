/** Summary statistics the benchmarks share. */

/** The median (upper median for an even count) of `values`; the input is not reordered. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
