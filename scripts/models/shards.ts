/**
 * Sharded checkpoints as transformers' save_pretrained(max_shard_size=…) writes them: tensors in state-dict order
 * go into `model-0000i-of-0000n.safetensors` files, a new shard starting when the next tensor would push the
 * current one past the limit (a tensor larger than the limit gets a shard of its own), plus
 * `model.safetensors.index.json`: `{ "metadata": { "total_size": <tensor bytes> }, "weight_map": { name: shard } }`.
 */
import { DTYPE_BYTES, elementCount, type TensorHeader } from '../../src/weights/safetensors-writer';

export interface ShardPlan<T extends TensorHeader> {
  shards: { file: string; tensors: T[] }[];
  /** The text of model.safetensors.index.json. */
  index: string;
}

const tensorBytes = (t: TensorHeader): number => elementCount(t.shape) * DTYPE_BYTES[t.dtype];

export function planShards<T extends TensorHeader>(tensors: readonly T[], maxShardBytes: number): ShardPlan<T> {
  const groups: T[][] = [];
  let size = 0;
  for (const t of tensors) {
    const bytes = tensorBytes(t);
    if (groups.length === 0 || (size > 0 && size + bytes > maxShardBytes)) {
      groups.push([]);
      size = 0;
    }
    groups.at(-1)!.push(t);
    size += bytes;
  }
  const digits = (n: number): string => String(n).padStart(5, '0');
  const shards = groups.map((group, i) => ({ file: `model-${digits(i + 1)}-of-${digits(groups.length)}.safetensors`, tensors: group }));
  const weightMap: Record<string, string> = {};
  for (const shard of shards) for (const t of shard.tensors) weightMap[t.name] = shard.file;
  const totalSize = tensors.reduce((n, t) => n + tensorBytes(t), 0);
  return { shards, index: `${JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2)}\n` };
}
