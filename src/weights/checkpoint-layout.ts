/**
 * Where a repository keeps its safetensors weights when `model.safetensors` is not there:
 *  - sharded: `model.safetensors.index.json` maps every tensor to one of several shard files (`weight_map`);
 *  - not converted: only `pytorch_model.bin`, which Iris does not read (it is a pickle). The Hub's conversion
 *    bot (SFconvertbot) opens a pull request "Adding `safetensors` variant of this model" whose branch
 *    `refs/pr/N` has `model.safetensors`; the Hub API lists it (`GET /api/models/{repo}/discussions`).
 */
import { IrisError } from '../errors';
import { parseSafetensors } from './safetensors';

export const WEIGHTS_FILE = 'model.safetensors';
export const SHARD_INDEX_FILE = 'model.safetensors.index.json';
export const PICKLE_WEIGHTS_FILE = 'pytorch_model.bin';
export const CONVERSION_BOT = 'SFconvertbot';
export const CONVERSION_TITLE = 'Adding `safetensors` variant of this model';

export interface ShardIndex {
  /** Shard file names, in the order of their first tensor in the index. */
  shards: string[];
  /** Tensor name → shard file. */
  weightMap: Map<string, string>;
}

/** Parses and validates `model.safetensors.index.json` (a 'safetensors-invalid' error says what is wrong). */
export function parseShardIndex(bytes: Uint8Array, repo: string): ShardIndex {
  const bad = (reason: string): IrisError =>
    new IrisError('safetensors-invalid', `${SHARD_INDEX_FILE} of ${repo} is not a valid shard index: ${reason}.`, {
      hint: 'The repository may be incomplete; pass another revision ("org/name@commit").',
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw bad(`it is not JSON (${(cause as Error).message})`);
  }
  const map = (parsed as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw bad('"weight_map" is missing or not an object');
  const weightMap = new Map<string, string>();
  const shards: string[] = [];
  for (const [name, shard] of Object.entries(map)) {
    if (typeof shard !== 'string' || !/^[\w.-]+\.safetensors$/.test(shard)) throw bad(`tensor "${name}" names the shard ${JSON.stringify(shard)}, not a .safetensors file beside the index`);
    weightMap.set(name, shard);
    if (!shards.includes(shard)) shards.push(shard);
  }
  if (shards.length === 0) throw bad('"weight_map" is empty');
  return { shards, weightMap };
}

/** Every tensor of the index is in the shard it names (a shard may not silently lack one). */
export function checkShards(index: ShardIndex, shardBytes: ReadonlyMap<string, Uint8Array>, repo: string): void {
  const names = new Map<string, Set<string>>();
  for (const shard of index.shards) names.set(shard, new Set(parseSafetensors(shardBytes.get(shard)!, shard).tensors.keys()));
  for (const [name, shard] of index.weightMap) {
    if (!names.get(shard)!.has(name)) {
      throw new IrisError('tensor-missing', `${repo}: ${SHARD_INDEX_FILE} puts tensor "${name}" in ${shard}, which does not have it.`, {
        hint: 'The shards and their index disagree; the repository may be incomplete.',
      });
    }
  }
}

/**
 * The branch of the Hub's safetensors conversion pull request (`refs/pr/N`), asked of the Hub API; undefined
 * when the API does not answer (offline, a server without it) or lists no such pull request.
 */
export async function findConversionBranch(fetchFn: typeof fetch, baseUrl: string, repo: string, signal?: AbortSignal): Promise<string | undefined> {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/models/${repo}/discussions?author=${CONVERSION_BOT}&type=pull_request`;
  let body: unknown;
  try {
    const response = await fetchFn(url, { signal, cache: 'no-store' });
    if (!response.ok) return undefined;
    body = await response.json();
  } catch {
    return undefined;
  }
  const discussions = (body as { discussions?: unknown } | null)?.discussions;
  if (!Array.isArray(discussions)) return undefined;
  const conversions = discussions.filter(
    (d: { num?: unknown; title?: unknown; isPullRequest?: unknown; status?: unknown; author?: { name?: unknown } }) =>
      d?.isPullRequest === true && d.title === CONVERSION_TITLE && d.author?.name === CONVERSION_BOT && d.status !== 'merged' && Number.isSafeInteger(d.num),
  ) as { num: number }[];
  if (conversions.length === 0) return undefined;
  // reduce, not a spread: the list is the server's and may be huge.
  return `refs/pr/${conversions.reduce((newest, d) => Math.max(newest, d.num), 0)}`;
}

/** The typed error for a repository whose revision has only pytorch_model.bin. */
export function pickleOnly(repo: string, revision: string, branch: string | undefined): IrisError {
  const alternative = branch
    ? `Its safetensors conversion is the branch ${branch}: load "${repo}@${branch}".`
    : `Load "${repo}@refs/pr/N", where refs/pr/N is the Hub's safetensors-conversion pull request ("${CONVERSION_TITLE}", by ${CONVERSION_BOT}; the repository's Community tab lists it).`;
  return new IrisError('unsupported-model', `${repo} has only ${PICKLE_WEIGHTS_FILE} at ${revision}, no ${WEIGHTS_FILE}: Iris reads safetensors checkpoints only.`, { hint: alternative });
}
