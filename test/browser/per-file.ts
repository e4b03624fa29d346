// A resource that one browser test file shares across its tests (a server, a build, a Chromium).
import { afterAll, beforeAll } from 'vitest';

/**
 * Opens `open()` before the file's tests and closes it with `close` after them (resources opened later close
 * first: vitest runs afterAll hooks in reverse). Returns the resource's getter, for use inside the tests.
 */
export function forTheFile<T>(what: string, open: () => Promise<T>, close: (value: T) => Promise<unknown>): () => T {
  let value: T | undefined;
  beforeAll(async () => {
    value = await open();
  });
  afterAll(async () => {
    if (value !== undefined) await close(value);
  });
  return () => {
    if (value === undefined) throw new Error(`the ${what} is opened in beforeAll: use it inside a test`);
    return value;
  };
}
