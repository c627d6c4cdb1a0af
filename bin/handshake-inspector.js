#!/usr/bin/env -S node --min-semi-space-size=32 --max-semi-space-size=32
'use strict';
// The flags above give V8 a 32 MiB nursery from the start. A connection's
// decoding state lives for a few megabytes of capture; with the default
// (small, slowly growing) nursery most of it is copied by the collector at
// least once, which cost a fifth of the run on a 1 GB capture (npm run bench).
// 64 MiB took no less CPU on either bench capture (short connections: 7.9 s
// user against 5.6 s at 32) and its two semi-spaces were 64 MB more of the
// peak RSS, which is bounded at 200 MB on ordinary traffic (issue #16).
const path = require('path');
const fs = require('fs');
const vm = require('vm');
const Module = require('module');

const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
// The CLI is bundled by `npm run build`; say so instead of a stack trace when it hasn't been.
if (!fs.existsSync(bundle)) {
  process.stderr.write('handshake-inspector: not built yet — run `npm run build` first\n');
  process.exit(2);
}

/*
 * Compiling the 1.8 MB bundle was a quarter of a small run, and on a big
 * capture it delays the reading thread. So the bundle is loaded as `require`
 * would, but with V8's code cache from an earlier run (dist/cli.js.*.v8cache,
 * made by `npm run build` and remade whenever it does not fit): ~35 ms less
 * per run. V8 checks its own version and flags but of the source only its
 * length, so the cache also names the exact bundle (size, mtime) and Node it
 * was made from; a cache for anything else is ignored and replaced.
 */
function loadBundle() {
  // V8 rejects a cache made under other flags (the shebang's, or none when run
  // as `node bin/…`), so each set of flags keeps its own.
  let flags = 0x811c9dc5;
  for (const c of process.execArgv.join(' ')) flags = Math.imul(flags ^ c.charCodeAt(0), 0x01000193);
  const cacheFile = `${bundle}.${(flags >>> 0).toString(16)}.v8cache`;
  const stat = fs.statSync(bundle);
  const key = Buffer.from(`${stat.size} ${stat.mtimeMs} ${process.version} ${process.arch}\n`);
  let cachedData;
  try {
    const file = fs.readFileSync(cacheFile);
    if (file.length > key.length && file.subarray(0, key.length).equals(key)) cachedData = file.subarray(key.length);
  } catch { /* no cache yet */ }
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), {
    filename: bundle,
    cachedData,
    // import() inside the bundle resolves as it would under require (Node ≥ 20.12; the bundle itself has none).
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));
  const save = () => {
    // After the run, so the functions it compiled on the way are in the cache too. Best effort: dist/ may be read-only.
    const tmp = `${cacheFile}.${process.pid}`;
    try {
      fs.writeFileSync(tmp, Buffer.concat([key, script.createCachedData()]));
      fs.renameSync(tmp, cacheFile);
    } catch {
      try { fs.unlinkSync(tmp); } catch { /* nothing written */ }
    }
  };
  return { main: mod.exports.main, save: cachedData === undefined || script.cachedDataRejected ? save : () => {} };
}

// `… | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); throw err; });
const cli = loadBundle();
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  cli.save();
});
