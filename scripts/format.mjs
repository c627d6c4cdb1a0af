// `npm run format` / `npm run format:check`: prettier (.prettierrc.json) on the
// files named, or by default on the files this branch added (git: since its
// merge-base with main, plus untracked ones). Files that existed before are
// not reformatted wholesale: that diff would collide with every open branch;
// a one-off reformat of the tree is for a quiet moment.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const check = process.argv.includes('--check');
const named = process.argv.slice(2).filter((a) => a !== '--check');
const FORMATTED = /\.(ts|mjs|cjs|js|json|css)$/;

function git(...args) {
  const r = spawnSync('git', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.split('\n').filter(Boolean);
}

function addedFiles() {
  const base = process.env.FORMAT_BASE ?? 'main';
  let since;
  try {
    [since] = git('merge-base', 'HEAD', base);
  } catch (e) {
    process.stderr.write(`format: no merge-base with ${base} (${e.message}); name the files, or set FORMAT_BASE\n`);
    process.exit(2);
  }
  return [...git('diff', '--name-only', '--diff-filter=A', since), ...git('ls-files', '--others', '--exclude-standard')];
}

const files = (named.length > 0 ? named : addedFiles()).filter((f) => FORMATTED.test(f) && existsSync(f) && !f.startsWith('test/fixtures/'));
if (files.length === 0) {
  process.stdout.write('format: no files to format\n');
  process.exit(0);
}
const r = spawnSync(process.execPath, ['node_modules/prettier/bin/prettier.cjs', check ? '--check' : '--write', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
