/**
 * Before/after check of the --json contract changes: runs the CLI
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
 * Schema 3 (issue #11 size, issue #15 suspects) on top of that, compared
 * against a schema-2 build:
 *   - "schema": 3; the rule texts of every suspect are in the document's
 *     `rules` (after `diagnostics` in analyze; the last key of compare, whose
 *     client/relay carry none): a suspect keeps rule, field, message, weight,
 *     value (and range) as before, gains `rank` (1, 2, … in the old order for
 *     analyze) and an optional case-specific `reason`; `explanation` and
 *     `reference` move to `rules[rule]` (the reference unchanged, the
 *     explanation = reason + the rule's general text: texts that changed are
 *     counted and, with --texts, listed for review);
 *   - a pair's suspects are ranked by evidence and the divergence ones are
 *     rewritten (issue #15): the catalogue suspects must be the same set, the
 *     divergence ones are only counted;
 *   - without --defaults: an extension's `grease: false`, a message's
 *     `packets` equal to [packet], empty `details` and the TCP counters at
 *     their defaults (gaps none, retransmissions 0, retransmissionsDiffering
 *     0, outOfOrder 0, rst null, timelineTruncated false, tunnel null) are
 *     left out.
 * Schema 4 (issue #11, ≤ 4 kB per connection) on top of that: without --full
 * (of which --defaults is now an alias) a connection leaves out what a reader
 * derives (shared/contractDerived.ts, README "The --json contract"):
 *   - a registry name beside its number: an extension's `name` (by `type`), a
 *     message's `name` (by handshake `type`), `cipherSuiteName` and
 *     `versionName` in `tls`, `cipherSuiteName` in a ServerHello,
 *     `namedCurveName` and `signatureAlgorithmName` in a ServerKeyExchange
 *     and a message's `details`;
 *   - the `data` of a hello's first extension of a type when the hello's own
 *     field (not empty; ServerHello's selectedVersion not its legacyVersion)
 *     holds it;
 *   - a ClientHello message's `layout` when it is one whole first record in
 *     one segment;
 *   - a ServerHello's `extendedMasterSecret` that its extensions say, and
 *     `helloRetryRequest: false`, a ClientHello's `sslv2: false`;
 *   - the `connection` of a connection's diagnostic that is its own id.
 * With --full the output is the schema-3 build's with --defaults, the schema
 * number aside. Each move is applied to the old output below only where the
 * old value equals what the rule derives, with the shared registry itself
 * (scripts/sharedRegistry.mjs), so a wrong derivation shows as a difference.
 * Exit codes and stderr must be identical.
 *
 *   node scripts/contract-before-after.mjs OLD_ROOT [NEW_ROOT]
 *
 * OLD_ROOT holds a build of the earlier commit (its bin/ and dist/, e.g. made with
 * `mkdir /tmp/old && git archive main | tar -x -C /tmp/old && ln -s $PWD/node_modules /tmp/old && cd /tmp/old && node scripts/build.mjs`):
 * schema 3 by default; OLD_SCHEMA=2 for a schema-2 build, OLD_SCHEMA=0 for an unversioned one (run without flags).
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, promisify } from 'node:util';
import { registry } from './sharedRegistry.mjs';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2).filter((a) => a !== '--texts');
const SHOW_TEXTS = process.argv.includes('--texts');
const OLD = resolve(args[0] ?? '');
const NEW = resolve(args[1] ?? ROOT);
if (!args[0]) {
  process.stderr.write('usage: node scripts/contract-before-after.mjs OLD_ROOT [NEW_ROOT] [--texts]\n');
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

const TCP_DEFAULTS = {
  gaps: (g) => g.client.length === 0 && g.server.length === 0,
  retransmissions: (r) => r.client === 0 && r.server === 0,
  retransmissionsDiffering: (n) => n === 0,
  outOfOrder: (n) => n === 0,
  rst: (x) => x === null,
  timelineTruncated: (x) => x === false,
  tunnel: (x) => x === null,
};

/** Fields at their documented defaults left out (schema 3 without --defaults). */
function noDefaults(v, key = '') {
  if (Array.isArray(v)) return v.map((x) => noDefaults(x, key));
  if (!v || typeof v !== 'object') return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    if (key === 'extensions' && k === 'grease' && x === false) continue;
    if (key === 'messages' && k === 'packets' && Array.isArray(x) && x.length === 1 && x[0] === v.packet) continue;
    if (key === 'messages' && k === 'details' && x && Object.keys(x).length === 0) continue;
    if (key === 'tcp' && TCP_DEFAULTS[k]?.(x)) continue;
    out[k] = noDefaults(x, k);
  }
  return out;
}

function finish(j, flags) {
  if (!flags.includes('--ranges')) j = noRanges(j);
  if (!flags.includes('--names')) j = noNames(j);
  if (!FULL(flags)) j = noDefaults(j);
  return j;
}

// ---- schema 4: what a reader derives, left out without --full ----
const FULL = (flags) => flags.includes('--full') || flags.includes('--defaults');
const without = (o, drop) => Object.fromEntries(Object.entries(o).filter(([k, x]) => !drop(k, x)));
const NAMED_BY = {
  cipherSuiteName: ['cipherSuite', registry.cipherSuiteName],
  versionName: ['version', registry.versionName],
  namedCurveName: ['namedCurve', registry.namedGroupName],
  signatureAlgorithmName: ['signatureAlgorithm', registry.signatureSchemeName],
};
const registryName = (o, k) => k in NAMED_BY && typeof o[NAMED_BY[k][0]] === 'number' && o[k] === NAMED_BY[k][1](o[NAMED_BY[k][0]]);
const sameJson = (a, b) => b !== undefined && JSON.stringify(a) === JSON.stringify(b);

/** The data the first extension of `type` has when the hello's own (non-empty) field holds it. */
function heldByHello(h, type) {
  const some = (xs, data) => (xs.length > 0 ? data : undefined);
  if ('cipherSuites' in h) {
    return {
      0: h.serverName === null ? undefined : { serverNames: [{ type: 0, name: h.serverName }] },
      10: some(h.supportedGroups, { groups: h.supportedGroups }), 11: some(h.ecPointFormats, { formats: h.ecPointFormats }),
      13: some(h.signatureAlgorithms, { algorithms: h.signatureAlgorithms }), 16: some(h.alpn, { protocols: h.alpn }),
      43: some(h.supportedVersions, { versions: h.supportedVersions }),
    }[type];
  }
  return {
    16: h.alpn === null ? undefined : { protocols: [h.alpn] },
    43: h.selectedVersion === h.legacyVersion ? undefined : { selected: h.selectedVersion, selectedName: registry.versionName(h.selectedVersion) },
  }[type];
}

function extensions4(exts, hello) {
  return exts.map((e, i) => without(e, (k, x) => (k === 'name' && x === registry.extensionName(e.type))
    || (k === 'data' && hello && exts.findIndex((y) => y.type === e.type) === i && sameJson(x, heldByHello(hello, e.type)))));
}

function hello4(h) {
  const out = without(h, (k, x) => registryName(h, k) || ((k === 'helloRetryRequest' || k === 'sslv2') && x === false)
    || (k === 'extendedMasterSecret' && Array.isArray(h.extensions) && x === h.extensions.some((e) => e.type === 23)));
  if (Array.isArray(h.extensions)) out.extensions = extensions4(h.extensions, h);
  return out;
}

function plainLayout(m) {
  const span = [m.span[0] - 5, m.span[1]];
  return { records: [{ index: 0, span, length: m.span[1] - m.span[0] }], segments: [{ packet: m.packet, span }], splitRecords: false, splitSegments: false };
}

function message4(m) {
  const out = without(m, (k, x) => (k === 'name' && x === registry.handshakeTypeName(m.type)) || (k === 'layout' && sameJson(x, plainLayout(m))));
  for (const k of ['clientHello', 'serverHello', 'serverKeyExchange']) if (out[k]) out[k] = hello4(out[k]);
  if (out.details) {
    out.details = without(out.details, (k) => registryName(out.details, k));
    if (out.details.extensions) out.details.extensions = extensions4(out.details.extensions, null);
  }
  return out;
}

function connection4(c) {
  const out = { ...c, tls: without(c.tls, (k) => registryName(c.tls, k)), messages: c.messages.map(message4) };
  for (const k of ['clientHello', 'serverHello', 'serverKeyExchange']) if (out[k]) out[k] = hello4(out[k]);
  out.diagnostics = c.diagnostics.map((d) => without(d, (k, x) => k === 'connection' && x === c.id));
  return out;
}

/** The old document with the schema-4 moves applied (none with --full but the schema number). */
function schema4(doc, flags) {
  const full = FULL(flags);
  const side = (a) => a && { ...a, schema: 4, connections: full ? a.connections : a.connections.map(connection4) };
  if ('pairs' in doc) return { ...doc, schema: 4, client: side(doc.client), relay: side(doc.relay) };
  return side(doc);
}

// ---- suspects: the texts moved to `rules`, checked apart from the rest ----
const textStats = { same: 0, changed: new Map(), references: 0, divergenceReferences: 0, referenceDiffers: [], divergence: { old: 0, new: 0 } };
const why = (rules, s) => [s.reason, rules?.[s.rule]?.explanation].filter(Boolean).join(' ');
const canon = (s) => {
  const out = { rule: s.rule, field: s.field, message: s.message, weight: s.weight };
  if ('range' in s) out.range = s.range;
  if ('value' in s) out.value = s.value;
  return out;
};

/** Checks the texts of `newer` against `old`'s and turns both lists into the canonical form compared with the rest. */
function suspectsCompared(old, newer, rules, pair) {
  for (const n of newer) {
    const o = old.find((x) => x.rule === n.rule && x.field === n.field);
    if (!o) continue;
    if (rules?.[n.rule]?.reference === o.reference) textStats.references++;
    // The divergence rules' references were per message; one text per rule now names all three (on purpose).
    else if (n.rule.startsWith('divergence.')) textStats.divergenceReferences++;
    else textStats.referenceDiffers.push(`${n.rule}: ${JSON.stringify(o.reference)} → ${JSON.stringify(rules?.[n.rule]?.reference)}`);
    if (o.explanation === why(rules, n)) textStats.same++;
    else if (!o.rule.startsWith('divergence.')) textStats.changed.set(`${o.rule}\n  was: ${o.explanation}\n  now: ${why(rules, n)}`, true);
  }
  if (!pair) {
    newer.forEach((n, i) => { if (n.rank !== i + 1) textStats.referenceDiffers.push(`${n.rule} ${n.field}: rank ${n.rank} at place ${i + 1}`); });
    return [old.map(canon), newer.map(canon)];
  }
  textStats.divergence.old += old.filter((x) => x.rule.startsWith('divergence.')).length;
  textStats.divergence.new += newer.filter((x) => x.rule.startsWith('divergence.')).length;
  const key = (s) => `${s.rule}\u0000${s.field}`;
  const catalogue = (xs) => xs.filter((x) => !x.rule.startsWith('divergence.')).map(canon).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return [catalogue(old), catalogue(newer)];
}

/** Both documents with their suspects in the canonical form and `rules` taken off (its texts were checked). */
function suspectsAside(want, got) {
  const rules = got.rules;
  delete got.rules;
  const conns = (w, g) => {
    if (!w || !g) return;
    delete g.rules;
    w.connections.forEach((c, i) => {
      const n = g.connections[i];
      if (!n) return;
      [c.suspects, n.suspects] = suspectsCompared(c.suspects, n.suspects, rules, false);
    });
  };
  if ('pairs' in want) {
    conns(want.client, got.client);
    conns(want.relay, got.relay);
    want.pairs.forEach((p, i) => {
      const n = got.pairs[i];
      if (n) [p.suspects, n.suspects] = suspectsCompared(p.suspects, n.suspects, rules, true);
    });
    (want.singleVantage ?? []).forEach((v, i) => {
      const n = got.singleVantage?.[i];
      if (n) [v.suspects, n.suspects] = suspectsCompared(v.suspects, n.suspects, rules, false);
    });
  } else conns(want, got);
}

function expectedAnalysis(old, flags) {
  if (OLD_SCHEMA === 3) return schema4(old, flags);
  return schema4(finish({ ...old, schema: 3, connections: expectedConnections(old.connections, flags) }, flags), flags);
}

function expectedCompare(old, flags) {
  if (OLD_SCHEMA === 3) return schema4(old, flags);
  const side = (a) => a && { ...a, schema: 3, connections: expectedConnections(a.connections, flags) };
  return schema4(finish({ ...old, schema: 3, client: side(old.client), relay: side(old.relay) }, flags), flags);
}

/** Where two values first differ, as a path (for the failure message). */
function firstDifference(a, b, path = '') {
  if (JSON.stringify(a) === JSON.stringify(b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.join() !== kb.join()) return `${path} keys [${ka}] vs [${kb}]`;
    for (const k of ka) {
      const d = firstDifference(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path}: ${JSON.stringify(a)?.slice(0, 120)} vs ${JSON.stringify(b)?.slice(0, 120)}`;
}

const ONLY = process.env.ONLY;
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
  // Schema 3 already had the suspects' texts in `rules`: they are compared with the rest.
  if (OLD_SCHEMA < 3) suspectsAside(want, got);
  // Key order matters too (jq users diff outputs): compare the serialisations.
  if (JSON.stringify(want) !== JSON.stringify(got)) failures.push(`${label}: output differs beyond the documented changes (first at ${firstDifference(want, got)})`);
  else identicalCaptures++;
}

/**
 * The flags the old build is run with: against a schema-3 build the same ones, --full as --defaults; against a
 * schema-2 build the same ones but --full / --defaults (schema 2 had the other four, so its output already has
 * their changes applied); against an unversioned one, none.
 */
const OLD_SCHEMA = Number(process.env.OLD_SCHEMA ?? 3);
const oldFlags = (flags) => (OLD_SCHEMA === 3 ? flags.map((f) => (f === '--full' ? '--defaults' : f))
  : OLD_SCHEMA === 2 ? flags.filter((f) => f !== '--defaults' && f !== '--full') : []);

const ALL = ['--ranges', '--names', '--all-certificates', '--raw-fingerprints', '--full'];
// --full alone is main's --defaults alone; --defaults is its alias.
const FLAG_SETS = [[[], []], [[], ALL], [[], ['--full']], [[], ['--defaults']], [['--packets'], ['--names', '--raw-fingerprints']], [['--packets'], ['--ranges', '--all-certificates', '--full']]];

const files = [...filesUnder(join(ROOT, 'test', 'fixtures')), ...filesUnder(join(ROOT, 'samples'))].filter((f) => !ONLY || f.includes(ONLY));
const jobs = [];
for (const f of files) {
  const rel = f.slice(ROOT.length + 1);
  // Each flag is on in some runs and off in others, and the first two runs
  // are the compact default and everything kept.
  for (const [packets, flags] of FLAG_SETS) {
    const label = `analyze ${rel} ${[...flags, ...packets].join(' ')}`;
    jobs.push(() => check(label, ['analyze', f, '--json', ...oldFlags(flags), ...packets], ['analyze', f, '--json', ...flags, ...packets], (o) => expectedAnalysis(o, flags)));
  }
}
const pairDirs = [
  ...readdirSync(join(ROOT, 'test', 'fixtures', 'two-vantage')).map((d) => join(ROOT, 'test', 'fixtures', 'two-vantage', d)),
  join(ROOT, 'test', 'fixtures', 'tor-kz'), join(ROOT, 'samples', 'tor-kz-drop'),
].filter((d) => statSync(d).isDirectory() && (!ONLY || d.includes(ONLY)));
for (const d of pairDirs) {
  const rel = d.slice(ROOT.length + 1);
  const pair = [join(d, 'client.pcap'), join(d, 'relay.pcap')];
  for (const [, flags] of FLAG_SETS) {
    jobs.push(() => check(`compare ${rel} ${flags.join(' ')}`, ['compare', ...pair, '--json', ...oldFlags(flags)], ['compare', ...pair, '--json', ...flags], (o) => expectedCompare(o, flags)));
    jobs.push(() => check(`compare ${rel}/client.pcap alone ${flags.join(' ')}`, ['compare', pair[0], '--json', ...oldFlags(flags)], ['compare', pair[0], '--json', ...flags], (o) => expectedCompare(o, flags)));
  }
}

// Two at a time: each job runs the old and the new CLI side by side.
let next = 0;
await Promise.all([0, 1].map(async () => {
  while (next < jobs.length) await jobs[next++]();
}));
process.stdout.write(`${files.length} files and ${pairDirs.length} pairs: ${checked} runs compared, ${identicalCaptures} outputs equal to the old one with the documented changes\n`);
process.stdout.write(`suspect texts: ${textStats.same} explanations equal to reason + rule text, ${textStats.changed.size} distinct catalogue texts reworded (--texts lists them); ` +
  `${textStats.references} references equal to the rule's (${textStats.divergenceReferences} divergence ones merged on purpose); pairs: ${textStats.divergence.old} divergence suspects before, ${textStats.divergence.new} after\n`);
if (SHOW_TEXTS) for (const t of textStats.changed.keys()) process.stdout.write(`${t}\n`);
for (const r of new Set(textStats.referenceDiffers)) failures.push(`suspect reference or rank: ${r}`);
for (const f of failures) process.stdout.write(`FAIL ${f}\n`);
process.exit(failures.length > 0 ? 1 : 0);
