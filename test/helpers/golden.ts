import path from 'node:path';

/** ../shared/golden: CI clones the repository with shared/ beside it, so this is right there and here. */
export const GOLDEN_DIR = path.resolve(process.cwd(), '../shared/golden');
