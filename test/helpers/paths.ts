import * as path from 'node:path';

/** The repository (tests run from out/test/<layer>/…, compiled by tsconfig.test.json). */
export const ROOT = path.resolve(__dirname, '../../..');

/**
 * ../shared next to the repository: read-only reference material (captures,
 * JA4 references, notes) kept out of the repo. The only path outside it that a
 * test may read.
 */
export const SHARED_REFERENCE = path.resolve(ROOT, '..', 'shared');
