import { isIrisError } from '../../../src/index';

/** Runs `fn` and returns {ok, value} or {ok: false, code, message}, so errors cross page.evaluate intact. */
export async function attempt<T>(fn: () => Promise<T>) {
  try {
    return { ok: true as const, value: await fn() };
  } catch (error) {
    return { ok: false as const, code: isIrisError(error) ? error.code : 'not-iris', message: String((error as Error)?.message ?? error) };
  }
}
