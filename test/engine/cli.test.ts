import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { drained } from '../../server/src/cli/main';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { ROOT } from '../helpers/paths';

// The CLI as a user runs it: the bundled bin (npm test builds it first).
const BIN = join(ROOT, 'bin', 'handshake-inspector.js');
const HS = join(ROOT, 'test', 'fixtures', 'handshakes');
const TV = join(ROOT, 'test', 'fixtures', 'two-vantage');

function run(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('analyze --json follows the documented contract', async () => {
  const file = join(HS, 'tls12-dhe-rsa.pcap');
  const r = run(['analyze', file, '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.input.path, file);
  assert.equal(j.input.format, 'pcap');
  assert.equal(j.input.sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));
  assert.ok(j.input.packets > 0);
  const c = j.connections[0];
  for (const k of ['id', 'client', 'server', 'clientHello', 'serverHello', 'certificates', 'messages', 'alerts', 'fingerprints', 'diagnostics']) assert.ok(k in c, k);
  for (const k of ['recordVersion', 'legacyVersion', 'random', 'sessionId', 'cipherSuites', 'compressionMethods', 'extensions', 'serverName', 'alpn', 'supportedVersions']) assert.ok(k in c.clientHello, `clientHello.${k}`);
  for (const k of ['legacyVersion', 'random', 'cipherSuite', 'compressionMethod', 'extensions', 'selectedVersion']) assert.ok(k in c.serverHello, `serverHello.${k}`);
  for (const k of ['subject', 'issuer', 'serialNumber', 'notBefore', 'notAfter', 'subjectAltNames', 'publicKey', 'sha256']) assert.ok(k in c.certificates[0], `certificates[0].${k}`);
  assert.match(c.certificates[0].notBefore, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  for (const k of ['ja3', 'ja3s', 'ja4', 'ja4_o']) assert.equal(typeof c.fingerprints[k], 'string', k);
  assert.equal(c.fingerprints.ja4s, undefined, 'JA4S only with --ja4plus');
  // The raw strings spell out the hellos: only with --raw-fingerprints, and then the engine's own.
  for (const k of ['ja3Full', 'ja3sFull', 'ja4_r', 'ja4_ro']) assert.ok(!(k in c.fingerprints), k);
  const raw = JSON.parse(run(['analyze', file, '--json', '--raw-fingerprints']).out).connections[0].fingerprints;
  assert.deepEqual(raw, (await analyzeFile(file, {})).connections[0].fingerprints);
  assert.match(String(raw.ja3Full), /^771,57-/, 'JA3 string: version 771, first suite 0x0039 (as tls12-dhe-rsa chose)');
  assert.ok(c.messages.every((m: { from: string }) => m.from === 'client' || m.from === 'server'));
  assert.equal(c.serverHello.cipherSuite, 0x0039);
  assert.ok(c.serverKeyExchange.dhPrimeBits >= 1024);
  assert.equal(j.schema, 4);
  // Each decoded body is written once: the message points at the connection field that holds it.
  const byType = (t: number) => c.messages.find((m: { type: number }) => m.type === t);
  assert.deepEqual([byType(1).decodedAt, byType(2).decodedAt, byType(11).decodedAt, byType(12).decodedAt],
    ['clientHello', 'serverHello', 'certificates', 'serverKeyExchange']);
  // Schema 4: what the registry or the hello itself says is left out unless --full (issue #11).
  assert.ok(c.messages.every((m: object) => !('name' in m)), 'message names are the handshake types\' registry names');
  assert.ok(!('helloRetryRequest' in c.serverHello) && !('cipherSuiteName' in c.serverHello) && !('versionName' in c.tls));
  const full = JSON.parse(run(['analyze', file, '--json', '--full']).out).connections[0];
  assert.deepEqual(full.messages.map((m: { name: string }) => m.name).slice(0, 4), ['ClientHello', 'ServerHello', 'Certificate', 'ServerKeyExchange']);
  assert.equal(full.serverHello.helloRetryRequest, false);
  assert.equal(full.serverHello.cipherSuiteName, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA');
  assert.equal(full.tls.versionName, 'TLS 1.2');
  // --defaults, the schema-3 flag, is the same as --full.
  assert.equal(run(['analyze', file, '--json', '--defaults']).out, run(['analyze', file, '--json', '--full']).out);
  assert.ok(c.messages.every((m: object) => !('clientHello' in m || 'serverHello' in m || 'certificates' in m || 'serverKeyExchange' in m)));
  // Byte ranges only with --ranges.
  assert.ok(!('ranges' in c.clientHello) && !('range' in c.messages[0]) && !('range' in c.certificates[0]));
  const withRanges = JSON.parse(run(['analyze', file, '--json', '--ranges']).out).connections[0];
  // The same ranges the language server gets (hovers, hex highlighting).
  const engine = (await analyzeFile(file, {})).connections[0];
  assert.deepEqual(withRanges.clientHello.ranges, JSON.parse(JSON.stringify(engine.clientHello!.ranges)));
  assert.deepEqual(withRanges.messages.map((m: { range: unknown }) => m.range), engine.messages.map((m) => m.range));
  assert.deepEqual(withRanges.certificates[0].range, engine.certificates[0].range);
});

test('analyze --json: name lists only with --names, a repeated certificate as a reference unless --all-certificates', async () => {
  // openssl s_client ↔ s_server on loopback: connections 0 and 3 get the same certificate.
  const file = join(ROOT, 'test', 'fixtures', 'ja4-reference', 'local-openssl.pcap');
  const compact = run(['analyze', file, '--json']);
  assert.equal(compact.code, 0, compact.err);
  assert.doesNotMatch(compact.out, /"(group|format|algorithm|version|signatureAlgorithm)Names"/);
  const cs = JSON.parse(compact.out).connections;
  const leaf = cs[0].certificates[0];
  assert.ok(leaf.subject && leaf.sha256.length === 64, 'the first connection has the certificate in full');
  assert.deepEqual(cs[3].certificates[0], { index: 0, sha256: leaf.sha256, length: leaf.length, sameAs: 0 });
  const share = cs[1].clientHello.extensions.find((e: { type: number }) => e.type === 51).data.shares[0];
  assert.deepEqual(share, { group: 29, length: 32 });

  const full = JSON.parse(run(['analyze', file, '--json', '--names', '--all-certificates', '--full']).out).connections;
  assert.deepEqual(full[3].certificates[0], leaf, 'the same certificate in full');
  const engine = (await analyzeFile(file, {})).connections;
  // With --names the extensions are the engine's own; IANA TLS Supported Groups: 29 x25519, 23 secp256r1.
  assert.deepEqual(full[2].clientHello.extensions, JSON.parse(JSON.stringify(engine[2].clientHello!.extensions)));
  const groups = full[2].clientHello.extensions.find((e: { type: number }) => e.type === 10).data;
  assert.deepEqual(groups, { groups: [29, 23], groupNames: ['x25519', 'secp256r1'] });
  assert.equal(full[1].clientHello.extensions.find((e: { type: number }) => e.type === 51).data.shares[0].groupName, 'x25519');
  // Without --names and --full the name lists go, and the groups are the hello's own supportedGroups (schema 4).
  assert.equal(cs[2].clientHello.extensions.find((e: { type: number }) => e.type === 10).data, undefined);
  assert.deepEqual(cs[2].clientHello.supportedGroups, [29, 23]);
  // Defaults left out without --full (issue #11): grease false, TCP counters at zero, a message's packets = [packet].
  assert.ok(cs[2].clientHello.extensions.every((e: object) => !('grease' in e)));
  assert.ok(full[2].clientHello.extensions.every((e: { grease: boolean }) => e.grease === false));
  assert.ok(!('outOfOrder' in cs[2].tcp) && full[2].tcp.outOfOrder === 0);
  assert.ok(cs[2].messages.every((m: { packets?: number[]; packet: number }) => m.packets === undefined || m.packets.length !== 1 || m.packets[0] !== m.packet));
  const { sslv2, ...fullHello } = full[2].clientHello;
  assert.equal(sslv2, false, 'sslv2: false is a default');
  assert.deepEqual({ ...cs[2].clientHello, extensions: null }, { ...fullHello, extensions: null });

  // With --ranges the reference keeps where this copy's bytes are.
  const ranged = JSON.parse(run(['analyze', file, '--json', '--ranges']).out).connections;
  assert.deepEqual(ranged[3].certificates[0].range, engine[3].certificates[0].range);
  assert.equal(ranged[3].certificates[0].sameAs, 0);
});

test('analyze --ja4plus adds JA4S and per-certificate JA4X', () => {
  const r = run(['analyze', join(HS, 'tls12-chain.pcap'), '--json', '--ja4plus']);
  const c = JSON.parse(r.out).connections[0];
  assert.match(c.fingerprints.ja4s, /^t12\d\d\d\d_/);
  assert.equal(c.fingerprints.ja4x.length, 3);
});

test('the readable summary names the connection, version, cipher, SNI and fingerprints', () => {
  const r = run(['analyze', join(HS, 'tls13-hrr.pcap')]);
  assert.equal(r.code, 0);
  assert.match(r.out, /TLS 1\.3/);
  assert.match(r.out, /HelloRetryRequest/);
  assert.match(r.out, /JA4 t13/);
});

test('analyze writes each connection as it ends: JSON one connection per line, text with the totals last', () => {
  const file = join(HS, 'multi.pcapng');
  const j = run(['analyze', file, '--json']);
  assert.equal(j.code, 0, j.err);
  const parsed = JSON.parse(j.out);
  assert.equal(parsed.connections.length, 3);
  const lines = j.out.split('\n');
  // Every connection is one line of its own, so the output streams into jq or grep.
  assert.equal(lines.filter((l) => l.startsWith('{"id":')).length, 3);
  for (const c of parsed.connections) assert.ok(lines.some((l) => l.replace(/,$/, '') === JSON.stringify(c)), `connection ${c.id} on one line`);
  assert.equal(parsed.input.packets, 66);
  const t = run(['analyze', file]);
  assert.equal(t.code, 0, t.err);
  const at = (re: RegExp) => t.out.search(re);
  assert.ok(at(/^#0 /m) > 0 && at(/^#2 /m) > at(/^#0 /m));
  assert.ok(at(/^Capture$/m) > at(/^#2 /m), 'totals after the connections');
  assert.match(t.out, /66 packets, 66 TCP; 3 connection\(s\) shown/);
});

test('analyze --out to a place that cannot be written: exit 1 with the reason', () => {
  const r = run(['analyze', join(HS, 'tls13.pcap'), '--out', join(tmpdir(), 'no-such-dir-hi', 'x.txt')]);
  assert.equal(r.code, 1);
  assert.match(r.err, /ENOENT/);
});

test('not a capture: exit 1 with a one-line reason; missing file too; usage errors exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hi-cli-'));
  const junk = join(dir, 'junk.bin');
  writeFileSync(junk, Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xff, 0xfe]));
  const a = run(['analyze', junk]);
  assert.equal(a.code, 1);
  assert.equal(a.err.trim().split('\n').length, 1);
  assert.match(a.err, /not a capture/);
  const b = run(['analyze', join(dir, 'nope.pcap')]);
  assert.equal(b.code, 1);
  assert.match(b.err, /ENOENT|no such file/i);
  // Text that is no dump (the README) is no capture either.
  const t = run(['analyze', join(ROOT, 'README.md')]);
  assert.equal(t.code, 1);
  assert.match(t.err, /not a capture: the file is text/);
  assert.equal(run(['analyze']).code, 2);
  assert.equal(run(['frobnicate']).code, 2);
  assert.equal(run(['analyze', junk, '--bogus']).code, 2);
});

test('compare: an unreadable input is named (client or relay) and its contents never quoted; --json writes nothing then', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hi-cli-'));
  const good = join(TV, 'openssl-pass', 'client.pcap');
  const secret = join(dir, 'notes.txt');
  writeFileSync(secret, 'my password is hunter2\n');
  const junk = join(dir, 'junk.bin');
  writeFileSync(junk, Buffer.from('SECRETBYTES-not-a-capture'));
  for (const [args, which] of [[[secret, good], 'client'], [[good, junk], 'relay'], [[good, join(dir, 'missing.pcap')], 'relay']] as const) {
    const r = run(['compare', ...args, '--json']);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.out, '');
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, new RegExp(`^handshake-inspector: ${which} capture: `));
    for (const leak of ['hunter2', 'SECRET', '53 45 43']) assert.ok(!r.err.includes(leak), r.err);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('a damaged capture is still read: exit 0, what came before the damage kept, the fault located', () => {
  const good = readFileSync(join(HS, 'tls12-ecdhe-rsa.pcap'));
  const dir = mkdtempSync(join(tmpdir(), 'hi-cli-'));
  const f = join(dir, 'cut.pcap');
  writeFileSync(f, good.subarray(0, good.length - 30));
  const r = run(['analyze', f, '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.ok(j.connections[0].serverHello);
  const d = j.diagnostics.find((x: { severity: string }) => x.severity === 'error');
  assert.ok(d);
  assert.equal(d.location.kind, 'offset');
  assert.ok(d.location.offset > 0 && d.location.offset < good.length);
});

test('compare --json: pairs, verdict, packets, unmatched', () => {
  const r = run(['compare', join(TV, 'openssl-drop-serverhello', 'client.pcap'), join(TV, 'openssl-drop-serverhello', 'relay.pcap'), '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  const p = j.pairs[0];
  assert.deepEqual(Object.keys(p.interference).sort(), ['confidence', 'direction', 'evidence', 'firstMissingTlsMessage', 'kind']);
  assert.equal(p.interference.kind, 'drop');
  assert.ok(Array.isArray(p.matchedBy) && p.matchedBy.length > 0);
  assert.equal(typeof p.clockOffset.seconds, 'number');
  assert.ok(p.packets.some((x: { status: string }) => x.status === 'dropped'));
  assert.deepEqual(j.unmatched, { client: [], relay: [] });
});

test('compare --json takes --names, --all-certificates and --raw-fingerprints as analyze does', () => {
  const pair = [join(TV, 'openssl-pass', 'client.pcap'), join(TV, 'openssl-pass', 'relay.pcap')];
  const compact = run(['compare', ...pair, '--json']);
  assert.equal(compact.code, 0, compact.err);
  assert.doesNotMatch(compact.out, /"(groupNames|algorithmNames|ja3Full|ja4_r)"/);
  const full = run(['compare', ...pair, '--json', '--names', '--all-certificates', '--raw-fingerprints']);
  assert.equal(full.code, 0, full.err);
  const side = JSON.parse(full.out).relay.connections[0];
  assert.match(side.fingerprints.ja3Full, /^771,/);
  assert.ok(side.clientHello.extensions.some((e: { data?: { groupNames?: string[] } }) => e.data?.groupNames?.includes('x25519')));
  // Apart from those parts the two documents agree.
  const dropped = ['groupNames', 'formatNames', 'algorithmNames', 'versionNames', 'ja3Full', 'ja3sFull', 'ja4_r', 'ja4_ro'];
  const strip = (t: string) => JSON.stringify(JSON.parse(t), (k, v) => {
    if (dropped.includes(k)) return undefined;
    // A hello extension's data the hello's field holds is left out; with its names it no longer equals the field.
    if (k === 'extensions') return (v as Array<Record<string, unknown>>).map(({ data: _, ...e }) => e);
    // key_share entries name their group only with --names.
    if (k === 'shares') return (v as Array<Record<string, unknown>>).map(({ groupName: _, ...share }) => share);
    return v;
  });
  assert.equal(strip(full.out), strip(compact.out));
});

test('report writes a self-contained HTML file with the verdict; Markdown and JSON too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hi-cli-'));
  const args = [join(TV, 'openssl-rst-injected', 'client.pcap'), join(TV, 'openssl-rst-injected', 'relay.pcap')];
  const html = join(dir, 'r.html');
  const r = run(['report', ...args, '--format', 'html', '--out', html]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /verdict: .*injected-reset/);
  const text = readFileSync(html, 'utf8');
  assert.match(text, /Content-Security-Policy/);
  assert.ok(!/<script/i.test(text));
  assert.ok(!/(src|href)="https?:/i.test(text));
  assert.match(text, /<svg/);
  const md = join(dir, 'r.md');
  assert.equal(run(['report', ...args, '--format', 'md', '--out', md]).code, 0);
  assert.match(readFileSync(md, 'utf8'), /injected|RST/i);
  const js = join(dir, 'r.json');
  assert.equal(run(['report', ...args, '--format', 'json', '--out', js]).code, 0);
  assert.equal(JSON.parse(readFileSync(js, 'utf8')).report.pairs[0].interference.kind, 'injected-reset');
});

test('demo: prints the verdict for the bundled sample and writes the report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hi-demo-'));
  const r = run(['demo'], dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /verdict: client #0 ↔ relay #0: drop \(relay-to-client\), first missing TLS message: ServerHello/);
  assert.match(readFileSync(join(dir, 'handshake-report.html'), 'utf8'), /ServerHello/);
});

test('analyze --json carries suspects; --rules adds the user\'s own, and reports rule errors with their line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hi-rules-'));
  const rules = join(dir, 'rules.json');
  writeFileSync(rules, [
    '{ "rules": [',
    '  { "id": "our-dhe", "field": "serverHello.cipherSuite", "match": { "in": ["0x0039"] },',
    '    "explanation": "our bridges were blocked on this", "reference": "lab notes", "weight": "medium" },',
    '  { "id": "broken", "field": "serverHello.cipherSuite", "match": { "regex": "(a+)+" },',
    '    "explanation": "x", "reference": "y", "weight": "low" }',
    '] }',
  ].join('\n'));
  const file = join(TV, 'openssl-pass', 'relay.pcap');
  const r = run(['analyze', file, '--json', '--ranges', '--rules', rules]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /rules\.json:4:\d+: /, 'the bad regex is reported at its line');
  const doc = JSON.parse(r.out);
  const c = doc.connections[0];
  const eth = c.suspects.find((s: { rule: string }) => s.rule === 'catalogue.ethiopia-2012-dhe-aes256');
  assert.ok(eth);
  assert.equal(eth.field, 'serverHello.cipherSuite');
  assert.ok(eth.range.length > 0);
  // Rule texts once per document, after the diagnostics (issue #11).
  assert.deepEqual(Object.keys(doc).slice(-2), ['diagnostics', 'rules']);
  assert.ok(doc.rules['catalogue.ethiopia-2012-dhe-aes256'].reference.length > 0);
  assert.ok(!('explanation' in eth) && !('reference' in eth));
  const mine = c.suspects.find((s: { rule: string }) => s.rule.includes('our-dhe'));
  assert.ok(mine, c.suspects.map((s: { rule: string }) => s.rule).join(', '));
  assert.equal(doc.rules[mine.rule].explanation, 'our bridges were blocked on this');
  assert.ok(!c.suspects.some((s: { rule: string }) => s.rule.includes('broken')));
});

test('the launcher keeps V8 code cache for the bundle, and never uses one made for another bundle or damaged', () => {
  const bundle = join(ROOT, 'dist', 'cli.js');
  // run() starts the bin with no node flags: FNV-1a of the empty flag string names its cache.
  const cache = `${bundle}.811c9dc5.v8cache`;
  const st = statSync(bundle);
  const key = Buffer.from(`${st.size} ${st.mtimeMs} ${process.version} ${process.arch}\n`);
  const file = join(HS, 'tls13.pcap');
  const analyse = () => {
    const r = run(['analyze', file, '--json']);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out).connections[0].fingerprints.ja4;
  };
  rmSync(cache, { force: true });
  const ja4 = analyse();
  assert.match(ja4, /^t13d/);
  const made = readFileSync(cache);
  assert.ok(made.subarray(0, key.length).equals(key), 'the cache names the bundle and Node it was made for');
  assert.ok(made.length > key.length + 10000);
  // Damaged: V8 rejects it, the run is unchanged and the cache is made again.
  writeFileSync(cache, Buffer.concat([key, Buffer.alloc(5000, 0xa5)]));
  assert.equal(analyse(), ja4);
  assert.ok(readFileSync(cache).length > key.length + 10000);
  // Made for another bundle of the same length: V8 alone would accept it; the launcher must not.
  const other = Buffer.from(`${st.size} ${st.mtimeMs + 1} ${process.version} ${process.arch}\n`);
  writeFileSync(cache, Buffer.concat([other, made.subarray(key.length)]));
  assert.equal(analyse(), ja4);
  assert.ok(readFileSync(cache).subarray(0, key.length).equals(key), 'replaced by a cache for this bundle');
});

test('waiting for a full pipe to drain leaves no listener behind, and a write error still ends the wait', async () => {
  const w = new PassThrough();
  const before = { drain: w.listenerCount('drain'), error: w.listenerCount('error') };
  for (let i = 0; i < 20; i++) {
    const wait = drained(w);
    w.emit('drain');
    await wait;
  }
  assert.deepEqual({ drain: w.listenerCount('drain'), error: w.listenerCount('error') }, before);
  const wait = drained(w);
  w.emit('error', new Error('EPIPE'));
  await assert.rejects(wait, /EPIPE/);
  assert.deepEqual({ drain: w.listenerCount('drain'), error: w.listenerCount('error') }, before);
});
