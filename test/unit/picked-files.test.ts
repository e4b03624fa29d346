// The search tab's folder walks over folders of a user's size: 200,000 files in one subfolder (spreading
// that many values into one call overflows V8's stack), every file found once, keyed by its path.
import { describe, expect, it } from 'vitest';
import { walkEntries, walkHandle, type DirectoryLike } from '../../src/ui/picked-files';

const FILES = 200_000;
/** One stand-in File for all (making 200,000 real ones costs seconds; the walk only passes them on). */
const FILE = { name: 'photo.jpg' } as File;

/** A directory handle with `files` files named f<i> and the given subdirectories. */
function directory(name: string, files: number, children: { kind: 'directory'; name: string; values: DirectoryLike['values'] }[] = []) {
  return {
    kind: 'directory' as const,
    name,
    async *values() {
      for (let i = 0; i < files; i++) yield { kind: 'file' as const, name: `f${i}`, getFile: async () => FILE };
      yield* children;
    },
  };
}

describe('picked folders with 200,000 files', () => {
  it('walkHandle (File System Access API) finds each one, in a nested folder, keyed by path', async () => {
    const root = directory('photos', 1, [directory('all', FILES)]);
    const picked = await walkHandle(root, root.name);
    expect(picked).toHaveLength(FILES + 1);
    expect(picked[0]!.key).toBe('photos/f0');
    expect(picked[1]!.key).toBe('photos/all/f0');
    expect(picked.at(-1)!.key).toBe(`photos/all/f${FILES - 1}`);
    expect(new Set(picked.map((p) => p.key)).size).toBe(FILES + 1);
  });

  it('walkEntries (dropped folders, read in batches) finds each one', async () => {
    const BATCH = 100; // readEntries hands out a directory's entries a batch at a time
    const file = (path: string) => ({ isFile: true, isDirectory: false, fullPath: path, file: (ok: (f: File) => void) => ok(FILE) });
    const folder = (path: string, count: number) => ({
      isFile: false, isDirectory: true, fullPath: path,
      createReader: () => {
        let next = 0;
        return {
          readEntries: (ok: (entries: unknown[]) => void) => {
            const batch = Array.from({ length: Math.min(BATCH, count - next) }, (_, i) => file(`${path}/f${next + i}`));
            next += batch.length;
            ok(batch);
          },
        };
      },
    });
    const picked = await walkEntries([folder('/drop', FILES) as unknown as FileSystemEntry]);
    expect(picked).toHaveLength(FILES);
    expect(picked[0]!.key).toBe('drop/f0');
    expect(picked.at(-1)!.key).toBe(`drop/f${FILES - 1}`);
  });
});
