// The picker says "on this device" only for a model whose every file is stored (issue 17): what an
// interrupted load left is partial and must not promise an offline load.
import { describe, expect, it } from 'vitest';
import { MODELS } from '../../src/index';
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
