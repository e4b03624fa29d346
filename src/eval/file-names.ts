/** Matching the file names a dataset lists against the files a user picked (folder upload, drag and drop). */

/** The last path segment, for either separator. */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/**
 * The picked files, looked up by a dataset's name for a file: "cat.jpg" or "val2014/cat.jpg" both find
 * the picked "coco/val2014/cat.jpg" (a match is the whole path or a tail of it after a '/').
 */
export class FileIndex {
  private readonly byBaseName = new Map<string, string[]>();
  readonly size: number;

  constructor(paths: Iterable<string>) {
    let size = 0;
    for (const path of paths) {
      const normalised = path.replaceAll('\\', '/');
      const base = baseName(normalised);
      this.byBaseName.set(base, [...(this.byBaseName.get(base) ?? []), normalised]);
      size++;
    }
    this.size = size;
  }

  /** Every picked path that `fileName` names (none, one, or several when it is ambiguous). */
  matches(fileName: string): string[] {
    const wanted = fileName.replaceAll('\\', '/');
    const candidates = this.byBaseName.get(baseName(wanted)) ?? [];
    return candidates.filter((path) => path === wanted || path.endsWith(`/${wanted}`));
  }
}
