import { IrisError } from '../errors';

/**
 * A row-major [rows, cols] matrix of scores: an array of rows, or a flat array with its shape (the form
 * the models return, e.g. CLIP's logits as a Float32Array).
 */
export type ScoreMatrix = readonly ArrayLike<number>[] | { readonly data: ArrayLike<number>; readonly rows: number; readonly cols: number };

export interface MatrixView {
  rows: number;
  cols: number;
  at(row: number, col: number): number;
}

/** Checks the shape and that every value is a number (NaN would make every ranking meaningless). */
export function viewMatrix(matrix: ScoreMatrix, what: string): MatrixView {
  let view: MatrixView;
  if (Array.isArray(matrix)) {
    const rowsOf = matrix as readonly ArrayLike<number>[];
    const cols = rowsOf.length > 0 ? rowsOf[0].length : 0;
    rowsOf.forEach((row, r) => {
      if (row.length !== cols) throw new IrisError('bad-input', `${what}: row ${r} has ${row.length} values but row 0 has ${cols}.`);
    });
    view = { rows: rowsOf.length, cols, at: (r, c) => rowsOf[r][c] };
  } else {
    const { data, rows, cols } = matrix as { data: ArrayLike<number>; rows: number; cols: number };
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0 || data.length !== rows * cols) {
      throw new IrisError('bad-input', `${what}: ${data.length} values do not make a ${rows}×${cols} matrix.`);
    }
    view = { rows, cols, at: (r, c) => data[r * cols + c] };
  }
  if (view.rows === 0 || view.cols === 0) throw new IrisError('bad-input', `${what} is empty (${view.rows}×${view.cols}).`);
  for (let r = 0; r < view.rows; r++) {
    for (let c = 0; c < view.cols; c++) {
      if (Number.isNaN(view.at(r, c))) throw new IrisError('bad-input', `${what}: the value at row ${r}, column ${c} is NaN.`);
    }
  }
  return view;
}

/**
 * The 0-based rank of candidate `target` among `count` candidates scored by `score`, highest first.
 * Ties are broken by index: of equal scores the lower index ranks first (like a stable sort, or
 * argmax returning the first maximum), so results never depend on sort implementation details.
 */
export function rankOf(score: (index: number) => number, count: number, target: number): number {
  const s = score(target);
  let rank = 0;
  for (let i = 0; i < count; i++) {
    const v = score(i);
    if (v > s || (v === s && i < target)) rank++;
  }
  return rank;
}

export function checkTopK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new IrisError('bad-input', `K must be a positive whole number, got ${k}.`);
}
