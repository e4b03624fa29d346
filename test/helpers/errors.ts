/** Assertions on the typed errors Iris throws. */
import { expect } from 'vitest';
import { isIrisError, type IrisErrorCode } from '../../src/errors';

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

/** What `run` throws; the test fails if it returns. */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** `run` throws an IrisError with this `code` whose message matches `pattern`. */
export function expectIrisError(run: () => unknown, code: IrisErrorCode, pattern: RegExp): void {
  const error = thrown(run);
  expect(isIrisError(error, code), String(error)).toBe(true);
  expect((error as Error).message).toMatch(pattern);
}
