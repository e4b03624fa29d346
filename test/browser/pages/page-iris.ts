// What the library test pages share: one Iris per page, and errors turned into data for page.evaluate.
import { createIris, isIrisError, type Iris } from '../../../src/index';

/** `start()` creates the page's Iris (and returns its adapter); `iris` is it afterwards. */
export function pageIris() {
  let iris: Iris | undefined;
  return {
    async start() {
      iris = await createIris();
      return iris.adapter();
    },
    get iris(): Iris {
      return iris!;
    },
  };
}

/** Runs `fn` and returns {ok, value} or {ok: false, code, message}, so errors cross page.evaluate intact. */
export async function attempt<T>(fn: () => Promise<T>) {
  try {
    return { ok: true as const, value: await fn() };
  } catch (error) {
    return { ok: false as const, code: isIrisError(error) ? error.code : 'not-iris', message: String((error as Error)?.message ?? error) };
  }
}
