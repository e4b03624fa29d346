/**
 * The files a user picks for the search tab: a folder through the File System Access API, or files and
 * folders dropped on the page. No DOM beyond those APIs, so they run (and are tested) anywhere. Folders can
 * hold hundreds of thousands of files: every walk appends into one array, never spreads a folder's worth of
 * values into a call (which overflows the call stack).
 */

/** A picked file and its key (its path in the picked folder). */
export interface Picked {
  key: string;
  file: File;
}

/** What walkHandle reads of a directory handle (FileSystemDirectoryHandle with its async iterator). */
export interface DirectoryLike {
  values(): AsyncIterable<{ kind: 'file' | 'directory'; name: string }>;
}

/** Every file under a directory handle, keyed by its path (`path/child/…`). */
export async function walkHandle(directory: FileSystemDirectoryHandle | DirectoryLike, path: string, out: Picked[] = []): Promise<Picked[]> {
  for await (const handle of (directory as DirectoryLike).values()) {
    const key = `${path}/${handle.name}`;
    if (handle.kind === 'file') out.push({ key, file: await (handle as unknown as FileSystemFileHandle).getFile() });
    else await walkHandle(handle as unknown as DirectoryLike, key, out);
  }
  return out;
}

/** Every file under dropped entries (webkitGetAsEntry), keyed by its path without the leading '/'. */
export async function walkEntries(entries: readonly FileSystemEntry[]): Promise<Picked[]> {
  const out: Picked[] = [];
  const visit = async (entry: FileSystemEntry): Promise<void> => {
    const key = entry.fullPath.replace(/^\//, '');
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ key, file });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await visit(child);
      }
    }
  };
  for (const entry of entries) await visit(entry);
  return out;
}

/** Dropped files and folders (folders walked through webkitGetAsEntry), keyed by their paths. */
export async function droppedFiles(transfer: DataTransfer): Promise<Picked[]> {
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return [...transfer.files].map((file) => ({ key: file.name, file }));
  return walkEntries(entries);
}
