/**
 * Bytes per connection of an `analyze --json` document: mean and median per
 * TLS version, and the mean share of each top-level part of a connection.
 * How the --json size target (issue #11, "a typical connection ≤ 4 kB") is
 * measured:
 *
 *   node bin/handshake-inspector.js analyze .bench/tls-short-10MB.pcap --json > out.json
 *   node scripts/contract-size.mjs out.json
 *
 * (`node dist/bench.js --size 40 --runs 1 --no-tshark` makes that capture.)
 */
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node scripts/contract-size.mjs ANALYZE_OUTPUT.json\n');
  process.exit(2);
}
const text = readFileSync(file, 'utf8');
const doc = JSON.parse(text);
const bytes = (v) => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v)));
const summary = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return `mean ${Math.round(a.reduce((x, y) => x + y, 0) / a.length)} B, median ${s[Math.floor(s.length / 2)]} B`;
};

const byVersion = new Map();
for (const c of doc.connections) {
  const v = c.tls?.versionName ?? (c.isTls ? 'TLS, version unknown' : 'not TLS');
  if (!byVersion.has(v)) byVersion.set(v, []);
  byVersion.get(v).push(c);
}
const n = doc.connections.length;
process.stdout.write(`${file}: ${Buffer.byteLength(text)} B, ${n} connections, ${Math.round(Buffer.byteLength(text) / Math.max(n, 1))} B per connection with the document's framing\n`);
if (n === 0) process.exit(0);
process.stdout.write(`all: ${summary(doc.connections.map(bytes))}\n`);
for (const [v, cs] of byVersion) {
  // `"key":value,` per part, so the parts add up to the connection.
  const parts = new Map();
  for (const c of cs) for (const [k, x] of Object.entries(c)) parts.set(k, (parts.get(k) ?? 0) + bytes(x) + bytes(k) + 2);
  const top = [...parts].sort((a, b) => b[1] - a[1]).map(([k, t]) => `${k} ${Math.round(t / cs.length)}`);
  process.stdout.write(`${v} (${cs.length}): ${summary(cs.map(bytes))}\n  ${top.join(', ')}\n`);
}
