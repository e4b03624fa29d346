// The picker says "on this device" only for a model whose every file is stored (issue 17): what an
// interrupted load left is partial and must not promise an offline load.
import { describe, expect, it } from 'vitest';
import { isIrisError, MODELS } from '../../src/index';
import { parseRepoId } from '../../src/worker/registry';
import { isCached } from '../../src/ui/models';
import type { CachedModel } from '../../src/weights/weight-cache';

describe('isCached', () => {
  const entry = MODELS.find((m) => !m.local)!;
  const cached = (complete: boolean): CachedModel => ({
    repo: entry.repo, revision: entry.revision, requestedAs: [], files: [{ file: 'config.json', bytes: 10 }], bytes: 10, partialBytes: complete ? 0 : 5, complete,
  });

  it('a complete model is on this device; a partial one is not', () => {
    expect(isCached(entry, [cached(true)])).toBe(true);
    expect(isCached(entry, [cached(false)])).toBe(false);
  });
});

describe('parseRepoId (the picker\'s "Another repository…" and the API check ids before any download)', () => {
  it('takes org/name with an optional @revision (branches such as refs/pr/1 included)', () => {
    const hub = MODELS.find((m) => !m.local && m.revision.includes('/')) ?? MODELS.find((m) => !m.local)!;
    expect(parseRepoId(hub.repo)).toEqual({ repo: hub.repo, revision: 'main' });
    expect(parseRepoId(`${hub.repo}@${hub.revision}`)).toEqual({ repo: hub.repo, revision: hub.revision });
  });

  it('refuses what is not one with bad-input saying what is expected', () => {
    const repo = MODELS.find((m) => !m.local)!.repo;
    for (const id of ['', 'name-only', `${repo}/extra`, `${repo}@`, `${repo}@a b`, `${repo}@../x`, `${repo}@a@b`, ` ${repo}`]) {
      let error: unknown;
      try {
        parseRepoId(id);
      } catch (e) {
        error = e;
      }
      expect(isIrisError(error, 'bad-input'), `"${id}"`).toBe(true);
      expect((error as Error).message).toContain('org/name');
    }
  });
});
