/** Assertions on the typed errors Iris throws. */
import { expect } from 'vitest';
import { isIrisError } from '../../src/errors';

/** `run` throws an IrisError with code 'bad-input' whose message matches `pattern`. */
export function expectBadInput(run: () => unknown, pattern: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(isIrisError(error, 'bad-input'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected an IrisError');
}
