#!/usr/bin/env -S node --min-semi-space-size=64 --max-semi-space-size=64
'use strict';
// The flags above give V8 a 64 MiB nursery from the start. A connection's
// decoding state lives for a few megabytes of capture; with the default
// (small, slowly growing) nursery most of it is copied by the collector at
// least once, which cost a fifth of the run on a 1 GB capture (npm run bench).
// The CLI is bundled by `npm run build`; say so instead of a stack trace when it hasn't been.
const path = require('path');
const fs = require('fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('handshake-inspector: not built yet — run `npm run build` first\n');
  process.exit(2);
}
// `… | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); throw err; });
require(bundle).main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
