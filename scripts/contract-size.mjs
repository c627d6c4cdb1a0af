/**
 * Bytes per connection of an `analyze --json` document: mean and median per
 * TLS version, and the mean share of each top-level part of a connection.
 * How the --json size target (issue #11, "a typical connection ≤ 4 kB") is
 * measured:
 *
 *   node dist/bench.js --make-short .bench/tls-short-50MB.pcap 50   (2,071 connections)
 *   node bin/handshake-inspector.js analyze .bench/tls-short-50MB.pcap --json > out.json
 *   node scripts/contract-size.mjs out.json
 *
 * Then a table of where the bytes of one kind of connection go (KIND='TLS 1.3', default 'TLS 1.2').
 */
import { readFileSync } from 'node:fs';
import { registry } from './sharedRegistry.mjs';

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
  // Schema 4 leaves out a versionName the registry gives.
  const v = c.tls?.versionName ?? (typeof c.tls?.version === 'number' ? registry.versionName(c.tls.version) : c.isTls ? 'TLS, version unknown' : 'not TLS');
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

/*
 * Where the bytes of one kind of connection go, one level further down: each
 * part of a connection by what it holds (a hello's keys, an extension by its
 * type, a message by its name, a certificate written in full or as a
 * reference, a suspect by rule, a diagnostic by code). Every row is the mean
 * bytes per connection of that kind, `"key":value,` or `value,` as written,
 * so the rows under one part add up to that part (less its brackets).
 */
const kind = process.env.KIND ?? 'TLS 1.2';
const of = byVersion.get(kind) ?? [];
if (of.length > 0) {
  const rows = new Map();
  const add = (k, b) => rows.set(k, (rows.get(k) ?? 0) + b);
  const member = (k, x) => bytes(x) + bytes(k) + 2;
  const label = (e) => e.name ?? registry.extensionName(e.type);
  for (const c of of) {
    for (const [k, x] of Object.entries(c)) {
      if (x && typeof x === 'object' && !Array.isArray(x) && ['clientHello', 'serverHello', 'serverKeyExchange', 'tls', 'tcp', 'fingerprints'].includes(k)) {
        for (const [hk, hx] of Object.entries(x)) {
          if (hk !== 'extensions') add(`${k}.${hk}`, member(hk, hx));
          else for (const e of hx) add(`${k}.extensions[${label(e)}]`, bytes(e) + 1);
        }
      } else if (Array.isArray(x) && k !== 'extensions') {
        for (const e of x) {
          const sort = k === 'messages' ? e.name ?? registry.handshakeTypeName(e.type) : k === 'certificates' ? (e.sameAs !== undefined ? 'reference' : 'in full')
            : k === 'suspects' ? e.rule : k === 'diagnostics' ? e.code : '';
          add(`${k}[${sort}]`, bytes(e) + 1);
          if (k === 'messages') for (const [mk, mx] of Object.entries(e)) add(`messages[*].${mk}`, member(mk, mx));
        }
      } else add(k, member(k, x));
    }
  }
  const width = Math.max(...[...rows.keys()].map((k) => k.length));
  const perConnection = (b) => (b / of.length).toFixed(1).padStart(8);
  process.stdout.write(`\n${kind}: mean bytes per connection by part (KIND=… for another kind; messages[*].key rows split the messages[…] rows by key)\n`);
  for (const [k, b] of [...rows].sort((a, b) => b[1] - a[1])) if (b / of.length >= 1) process.stdout.write(`  ${k.padEnd(width)} ${perConnection(b)}\n`);
}
