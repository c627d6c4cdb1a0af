/**
 * Before/after check of the --json contract change (schema 2): runs the CLI
 * of an older build and of this tree over every file in test/fixtures and
 * samples (analyze --json, with and without --packets) and every two-vantage
 * pair (compare --json), and checks that the new output is exactly the old
 * one with the documented changes applied, nothing else:
 *   - "schema": 2 first in the document (and in compare's client/relay);
 *   - a message whose decoded body equals the connection's clientHello /
 *     serverHello / serverKeyExchange / certificates has `decodedAt` instead;
 *   - without --ranges: no `ranges` and no `range` anywhere;
 *   - without --names: no name lists (groupNames, formatNames, algorithmNames,
 *     versionNames, signatureAlgorithmNames, and groupName in key shares);
 *   - without --all-certificates: a connection's certificate whose sha256 an
 *     earlier connection of the same connections list has is
 *     {index, sha256, length, sameAs: that connection's id} (+ range with --ranges);
 *   - without --raw-fingerprints: no ja3Full, ja3sFull, ja4_r, ja4_ro, ja4s_r
 *     in a connection's fingerprints.
 * Exit codes and stderr must be identical.
 *
 *   node scripts/contract-before-after.mjs OLD_ROOT [NEW_ROOT]
 *
 * OLD_ROOT holds a build of the earlier commit (its bin/ and dist/, e.g. made
 * with `git worktree add /tmp/old 948578c && cd /tmp/old && node scripts/build.mjs`).
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OLD = resolve(process.argv[2] ?? '');
const NEW = resolve(process.argv[3] ?? ROOT);
if (!process.argv[2]) {
  process.stderr.write('usage: node scripts/contract-before-after.mjs OLD_ROOT [NEW_ROOT]\n');
  process.exit(2);
}
const SKIP = /\.(json|md|sh|py|key|keylog|keys|crt|pem|der|cnf|torrc|nft|upstream|tsv|js)$/;

function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else if (!SKIP.test(p)) out.push(p);
  }
  return out;
}

async function cli(root, args) {
  try {
    const r = await run(process.execPath, [join(root, 'bin', 'handshake-inspector.js'), ...args], { cwd: ROOT, maxBuffer: 1 << 30 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

const BODIES = ['clientHello', 'serverHello', 'serverKeyExchange', 'certificates'];

function onceEach(conn) {
  return {
    ...conn,
    messages: conn.messages.map((m) => {
      const at = BODIES.find((k) => k in m && isDeepStrictEqual(m[k], conn[k]) && !(k === 'certificates' && m[k].length === 0));
      if (!at) return m;
      const out = {};
      for (const k of Object.keys(m)) {
        if (k === at) out.decodedAt = at;
        else out[k] = m[k];
      }
      return out;
    }),
  };
}

function noRanges(v) {
  if (Array.isArray(v)) return v.map(noRanges);
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'ranges' && k !== 'range') out[k] = noRanges(x);
    return out;
  }
  return v;
}

const NAME_LISTS = new Set(['groupNames', 'formatNames', 'algorithmNames', 'versionNames', 'signatureAlgorithmNames']);

function noNames(v, inShares = false) {
  if (Array.isArray(v)) return v.map((x) => noNames(x, inShares));
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      if (NAME_LISTS.has(k) || (inShares && k === 'groupName')) continue;
      out[k] = noNames(x, k === 'shares');
    }
    return out;
  }
  return v;
}

/** Certificates seen earlier in the list become references (in order of the connections as written). */
function certificateRefs(connections, ranges) {
  const seen = new Map();
  return connections.map((c) => ({
    ...c,
    certificates: c.certificates.map((x) => {
      if (!x.sha256) return x;
      if (!seen.has(x.sha256)) {
        seen.set(x.sha256, c.id);
        return x;
      }
      const ref = { index: x.index, sha256: x.sha256, length: x.length, sameAs: seen.get(x.sha256) };
      if (ranges) ref.range = x.range;
      return ref;
    }),
  }));
}

/** flags: the new side's --ranges, --names, --all-certificates, --raw-fingerprints. */
function expectedConnections(connections, flags) {
  let cs = connections.map(onceEach);
  if (!flags.includes('--raw-fingerprints')) {
    const RAW = ['ja3Full', 'ja3sFull', 'ja4_r', 'ja4_ro', 'ja4s_r'];
    cs = cs.map((c) => ({ ...c, fingerprints: Object.fromEntries(Object.entries(c.fingerprints).filter(([k]) => !RAW.includes(k))) }));
  }
  if (!flags.includes('--all-certificates')) cs = certificateRefs(cs, flags.includes('--ranges'));
  return cs;
}

function finish(j, flags) {
  if (!flags.includes('--ranges')) j = noRanges(j);
  if (!flags.includes('--names')) j = noNames(j);
  return j;
}

function expectedAnalysis(old, flags) {
  return finish({ schema: 2, ...old, connections: expectedConnections(old.connections, flags) }, flags);
}

function expectedCompare(old, flags) {
  const side = (a) => a && { schema: 2, ...a, connections: expectedConnections(a.connections, flags) };
  return finish({ schema: 2, ...old, client: side(old.client), relay: side(old.relay) }, flags);
}

let checked = 0;
let identicalCaptures = 0;
const failures = [];

async function check(label, oldArgs, newArgs, expect) {
  const [a, b] = await Promise.all([cli(OLD, oldArgs), cli(NEW, newArgs)]);
  checked++;
  if (a.code !== b.code || a.err !== b.err) {
    failures.push(`${label}: exit ${a.code} → ${b.code}, stderr ${JSON.stringify(a.err.slice(0, 200))} → ${JSON.stringify(b.err.slice(0, 200))}`);
    return;
  }
  if (a.code !== 0) return;
  const want = expect(JSON.parse(a.out));
  const got = JSON.parse(b.out);
  // Key order matters too (jq users diff outputs): compare the serialisations.
  if (JSON.stringify(want) !== JSON.stringify(got)) failures.push(`${label}: output differs beyond the documented changes`);
  else identicalCaptures++;
}

const ALL = ['--ranges', '--names', '--all-certificates', '--raw-fingerprints'];
const FLAG_SETS = [[[], []], [[], ALL], [['--packets'], ['--names', '--raw-fingerprints']], [['--packets'], ['--ranges', '--all-certificates']]];

const files = [...filesUnder(join(ROOT, 'test', 'fixtures')), ...filesUnder(join(ROOT, 'samples'))];
const jobs = [];
for (const f of files) {
  const rel = f.slice(ROOT.length + 1);
  // Each flag is on in some runs and off in others, and the first two runs
  // are the compact default and everything kept.
  for (const [packets, flags] of FLAG_SETS) {
    const label = `analyze ${rel} ${[...flags, ...packets].join(' ')}`;
    jobs.push(() => check(label, ['analyze', f, '--json', ...packets], ['analyze', f, '--json', ...flags, ...packets], (o) => expectedAnalysis(o, flags)));
  }
}
const pairDirs = [
  ...readdirSync(join(ROOT, 'test', 'fixtures', 'two-vantage')).map((d) => join(ROOT, 'test', 'fixtures', 'two-vantage', d)),
  join(ROOT, 'test', 'fixtures', 'tor-kz'), join(ROOT, 'samples', 'tor-kz-drop'),
].filter((d) => statSync(d).isDirectory());
for (const d of pairDirs) {
  const rel = d.slice(ROOT.length + 1);
  const pair = [join(d, 'client.pcap'), join(d, 'relay.pcap')];
  for (const [, flags] of FLAG_SETS) {
    jobs.push(() => check(`compare ${rel} ${flags.join(' ')}`, ['compare', ...pair, '--json'], ['compare', ...pair, '--json', ...flags], (o) => expectedCompare(o, flags)));
    jobs.push(() => check(`compare ${rel}/client.pcap alone ${flags.join(' ')}`, ['compare', pair[0], '--json'], ['compare', pair[0], '--json', ...flags], (o) => expectedCompare(o, flags)));
  }
}

// Two at a time: each job runs the old and the new CLI side by side.
let next = 0;
await Promise.all([0, 1].map(async () => {
  while (next < jobs.length) await jobs[next++]();
}));
process.stdout.write(`${files.length} files and ${pairDirs.length} pairs: ${checked} runs compared, ${identicalCaptures} outputs equal to the old one with the documented changes\n`);
for (const f of failures) process.stdout.write(`FAIL ${f}\n`);
process.exit(failures.length > 0 ? 1 : 0);
