import { describe, expect, it } from 'vitest';
import { isIrisError } from '../../src/errors';
import { resizeRGB, type ResampleFilter } from '../../src/image/resize';
import { noise } from '../helpers/png-encode';

/** A 1-row RGB image whose three channels all carry `values`. */
function gray(values: number[]): Uint8Array {
  return new Uint8Array(values.flatMap((v) => [v, v, v]));
}
function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}
function firstChannel(rgb: Uint8Array): number[] {
  return [...rgb].filter((_, i) => i % 3 === 0);
}

describe('resizeRGB', () => {
  it('bilinear 4 -> 2 widens the triangle to 2 px (worked by hand)', () => {
    // Output 0: centre 1.0, inputs 0..2 at distances 0.25/0.25/0.75 (scaled): weights 3/7, 3/7, 1/7.
    // 0*3/7 + 100*3/7 + 200/7 = 71.4 -> 71; output 1: (100 + 3*200 + 3*255) / 7 = 209.3 -> 209.
    expect(firstChannel(resizeRGB(gray([0, 100, 200, 255]), 4, 1, 2, 1, 'bilinear'))).toEqual([71, 209]);
  });

  it('bicubic 2 -> 4 overshoots below 0 and clamps (worked by hand)', () => {
    // Output 0: centre 0.25, taps at -0.25 (w 0.8672) and 0.75 (w -0.0703) of the a=-0.5 cubic -> 255 * -0.088 < 0.
    // Output 1: centre 0.75, weights 0.8672 and 0.2266 normalised -> 255 * 0.2071 = 52.8 -> 53; mirrored for 2, 3.
    expect(firstChannel(resizeRGB(gray([0, 255]), 2, 1, 4, 1, 'bicubic'))).toEqual([0, 53, 202, 255]);
  });

  it.each(['bilinear', 'bicubic'] as ResampleFilter[])('%s keeps a flat image flat, up and down', (filter) => {
    const flat = new Uint8Array(9 * 7 * 3).fill(173);
    for (const [w, h] of [[3, 2], [9, 7], [20, 31], [224, 5]]) {
      expect(resizeRGB(flat, 9, 7, w!, h!, filter).every((v) => v === 173)).toBe(true);
    }
  });

  it('returns a copy, not the input, when the size does not change', () => {
    const src = noise(5 * 4 * 3);
    const out = resizeRGB(src, 5, 4, 5, 4, 'bicubic');
    expect(out).toEqual(src);
    expect(out).not.toBe(src);
  });

  it('resizes only the axis that changes (a 1-row image stays one row)', () => {
    const src = noise(10 * 3);
    const out = resizeRGB(src, 10, 1, 4, 1, 'bicubic');
    expect(out.length).toBe(4 * 3);
    // Vertical-only resize of a single column: each output row is the same kind of 1-D resize.
    const column = resizeRGB(src, 1, 10, 1, 4, 'bicubic');
    expect(column).toEqual(out);
  });

  it('keeps channels independent', () => {
    const src = noise(6 * 5 * 3, 9);
    const out = resizeRGB(src, 6, 5, 11, 3, 'bicubic');
    const redOnly = src.map((v, i) => (i % 3 === 0 ? v : 0));
    const outRedOnly = resizeRGB(redOnly, 6, 5, 11, 3, 'bicubic');
    expect(out.filter((_, i) => i % 3 === 0)).toEqual(outRedOnly.filter((_, i) => i % 3 === 0));
  });

  it('rejects bad arguments with bad-input', () => {
    const src = new Uint8Array(4 * 4 * 3);
    const cases: (() => unknown)[] = [
      () => resizeRGB(src, 4, 4, 0, 4, 'bicubic'),
      () => resizeRGB(src, 4, 4, 2.5, 4, 'bicubic'),
      () => resizeRGB(src, 4, 5, 2, 2, 'bicubic'),
      () => resizeRGB(src, 4, 4, 2, 2, 'lanczos' as ResampleFilter),
    ];
    for (const run of cases) expect(isIrisError(errorOf(run), 'bad-input')).toBe(true);
  });
});
