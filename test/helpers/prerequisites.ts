/**
 * Tests that need something this machine may lack (dist/ from a build,
 * Chromium, tshark, openssl, ../shared): outside CI they skip and say why;
 * under CI=true a missing prerequisite is a failure, never a skip, so a
 * pipeline that lost a layer cannot pass.
 */
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

export const IN_CI = process.env.CI === 'true';

/**
 * The `skip` option for tests that need what `missing` describes (null: all
 * there). Under CI=true nothing skips: a test named for what is missing
 * fails, and the dependent tests run (and fail on their own).
 */
export function skipUnlessCi(missing: string | null): string | false {
  if (missing === null) return false;
  if (!IN_CI) return missing;
  test(`prerequisite: ${missing}`, () => {
    throw new Error(`${missing} (CI=true: a missing prerequisite fails instead of skipping)`);
  });
  return false;
}

/** Why `command` can't run here (it fails `args`, e.g. ['version']), or null. */
export function commandMissing(command: string, args: string[]): string | null {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  return r.status === 0 ? null : `${command} not installed`;
}

/** Why the npm package `name` can't be loaded here, or null. */
export function packageMissing(name: string, why: string): string | null {
  try {
    require.resolve(name);
    return null;
  } catch {
    return `${name} not installed (${why})`;
  }
}
