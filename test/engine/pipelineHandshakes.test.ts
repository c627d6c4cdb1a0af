import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import type { AnalysisReport, ConnectionReport, SourceLocation } from '../../shared/analysis';

// The whole pipeline on real openssl captures (test/fixtures/handshakes/make.sh),
// checked against what tshark decoded from the same files (committed beside them).
const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'handshakes');
const CAPTURES = readdirSync(DIR).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).sort();

interface TsharkHandshake {
  frame: number;
  stream: number;
  fromPort: number;
  type: number;
  ciphers: number[];
  cipher: number | null;
  extensions: number[];
  sni: string | null;
  pLen: number | null;
  curve: number | null;
}

const asList = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

function tsharkHandshakes(file: string): TsharkHandshake[] {
  const frames = JSON.parse(readFileSync(join(DIR, file.replace(/\.(pcap|pcapng)(\.gz)?$/, '.tshark.json')), 'utf8')) as Array<Record<string, unknown>>;
  const out: TsharkHandshake[] = [];
  for (const f of frames) {
    for (const tls of asList(f.tls as Record<string, unknown> | Record<string, unknown>[])) {
      for (const rec of asList(tls['tls.record'] as Record<string, unknown> | Record<string, unknown>[])) {
        for (const hs of asList(rec['tls.handshake'] as Record<string, unknown> | Record<string, unknown>[])) {
          if (typeof hs !== 'object' || hs === null || hs['tls.handshake.type'] === undefined) continue;
          const exts: number[] = [];
          let sni: string | null = null;
          let curve: number | null = null;
          for (const [k, v] of Object.entries(hs)) {
            if (!k.startsWith('Extension: ')) continue;
            const e = v as Record<string, unknown>;
            exts.push(Number(e['tls.handshake.extension.type']));
            const sniObj = e['Server Name Indication extension'] as Record<string, string> | undefined;
            if (sniObj) sni = sniObj['tls.handshake.extensions_server_name'];
          }
          const ecdh = Object.values(hs).find((v) => typeof v === 'object' && v !== null && 'tls.handshake.server_named_curve' in (v as object)) as Record<string, string> | undefined;
          if (ecdh) curve = Number(ecdh['tls.handshake.server_named_curve']);
          const dh = Object.values(hs).find((v) => typeof v === 'object' && v !== null && 'tls.handshake.p_len' in (v as object)) as Record<string, string> | undefined;
          const suites = (hs['tls.handshake.ciphersuites'] as Record<string, string | string[]> | undefined)?.['tls.handshake.ciphersuite'];
          out.push({
            frame: Number(f['frame.number']), stream: Number(f['tcp.stream']), fromPort: Number(f['tcp.srcport']),
            type: Number(hs['tls.handshake.type']),
            ciphers: asList(suites).map((s) => parseInt(s, 16)),
            cipher: hs['tls.handshake.ciphersuite'] !== undefined ? parseInt(hs['tls.handshake.ciphersuite'] as string, 16) : null,
            extensions: exts, sni, pLen: dh ? Number(dh['tls.handshake.p_len']) : null, curve,
          });
        }
      }
    }
  }
  return out;
}

function tsharkJa3(file: string): Array<{ stream: number; type: number; ja3Full: string; ja3: string; ja3sFull: string; ja3s: string }> {
  const text = readFileSync(join(DIR, file.replace(/\.(pcap|pcapng)(\.gz)?$/, '.ja3.tsv')), 'utf8');
  return text.split('\n').filter(Boolean).map((line) => {
    const [, stream, type, ja3Full, ja3, ja3sFull, ja3s] = line.split('\t');
    return { stream: Number(stream), type: Number(type.split(',')[0]), ja3Full, ja3, ja3sFull, ja3s };
  });
}

/** Bytes of the file at a field's source locations, concatenated. */
function bytesAt(file: Buffer, locs: SourceLocation[]): Buffer {
  return Buffer.concat(locs.map((l) => {
    assert.equal(l.kind, 'offset');
    if (l.kind !== 'offset') return Buffer.alloc(0);
    return file.subarray(l.offset, l.offset + l.length);
  }));
}

const analyses = new Map<string, Promise<AnalysisReport>>();
const analyse = (f: string) => {
  if (!analyses.has(f)) analyses.set(f, analyzeFile(join(DIR, f), { packets: true }));
  return analyses.get(f)!;
};

for (const file of CAPTURES) {
  test(`${file}: handshakes match tshark's decode`, async () => {
    const report = await analyse(file);
    const expected = tsharkHandshakes(file);
    const streams = [...new Set(expected.map((h) => h.stream))];
    assert.ok(streams.length > 0);
    assert.equal(report.connections.length, streams.length, 'one TLS connection per tshark TCP stream');
    for (const stream of streams) {
      // tshark numbers streams in order of first packet, as connection ids are.
      const conn = report.connections[streams.indexOf(stream)];
      const hs = expected.filter((h) => h.stream === stream);
      // With TLS 1.3 only the hellos are in clear; when the pcapng carries the
      // session keys (tls13-dsb) both tshark and we decrypt the rest (issue #14).
      const clear = (h: TsharkHandshake) => conn.tls.version !== 0x0304 || conn.tls.decryption !== undefined || h.type === 1 || h.type === 2;
      for (const dir of ['client', 'server'] as const) {
        const theirs = hs.filter((h) => clear(h) && (h.fromPort === conn.client.port) === (dir === 'client')).map((h) => h.type);
        const ours = conn.messages.filter((m) => m.from === dir && m.type >= 0).map((m) => m.type);
        assert.deepEqual(ours, theirs, `${dir} handshake message types, stream ${stream}`);
      }
      const ch = hs.find((h) => h.type === 1)!;
      assert.ok(conn.clientHello);
      assert.deepEqual(conn.clientHello.cipherSuites, ch.ciphers, 'ClientHello cipher suites in wire order');
      assert.deepEqual(conn.clientHello.extensions.map((e) => e.type), ch.extensions, 'ClientHello extension types in order');
      assert.equal(conn.clientHello.serverName, ch.sni);
      const shs = hs.filter((h) => h.type === 2);
      if (shs.length > 0) {
        assert.ok(conn.serverHello);
        assert.equal(conn.serverHello.cipherSuite, shs[shs.length - 1].cipher);
      }
      const ske = hs.find((h) => h.type === 12);
      if (ske?.pLen) assert.ok(conn.serverKeyExchange && Math.ceil((conn.serverKeyExchange.dhPrimeBits ?? 0) / 8) === ske.pLen, 'DH prime length');
      if (ske?.curve) assert.equal(conn.serverKeyExchange?.namedCurve, ske.curve);
    }
  });

  test(`${file}: JA3/JA3S equal tshark's`, async () => {
    const report = await analyse(file);
    const rows = tsharkJa3(file);
    const streams = [...new Set(rows.map((r) => r.stream))];
    for (const stream of streams) {
      const conn = report.connections[streams.indexOf(stream)];
      const ch = rows.find((r) => r.stream === stream && r.type === 1);
      if (ch) {
        assert.equal(conn.fingerprints.ja3Full, ch.ja3Full);
        assert.equal(conn.fingerprints.ja3, ch.ja3);
      }
      const sh = rows.filter((r) => r.stream === stream && r.type === 2).pop();
      if (sh) {
        assert.equal(conn.fingerprints.ja3sFull, sh.ja3sFull);
        assert.equal(conn.fingerprints.ja3s, sh.ja3s);
      }
    }
  });

  if (!file.endsWith('.gz')) {
    test(`${file}: every field's byte range points at its bytes in the file`, async () => {
      const report = await analyse(file);
      const bytes = readFileSync(join(DIR, file));
      let checked = 0;
      for (const c of report.connections) {
        const ch = c.clientHello!;
        const suites = bytesAt(bytes, ch.ranges!.cipherSuites);
        assert.deepEqual([...suites].reduce<number[]>((a, b, i) => (i % 2 ? (a[a.length - 1] |= b, a) : [...a, b << 8]), []), ch.cipherSuites);
        assert.equal(bytesAt(bytes, ch.ranges!.random).toString('hex'), ch.random);
        for (let i = 0; i < ch.extensions.length; i++) {
          const t = bytesAt(bytes, ch.ranges![`extensions[${i}].type`]);
          assert.equal(t.readUInt16BE(0), ch.extensions[i].type);
          checked++;
        }
        if (ch.serverName !== null) assert.equal(bytesAt(bytes, ch.ranges!['extensions[0].serverName'] ?? findRange(c, 'serverName')).toString('latin1'), ch.serverName);
        const sh = c.serverHello;
        if (sh) {
          assert.equal(bytesAt(bytes, sh.ranges!.cipherSuite).readUInt16BE(0), sh.cipherSuite);
          assert.equal(bytesAt(bytes, sh.ranges!.random).toString('hex'), sh.random);
          checked += 2;
        }
        const decrypted = c.messages.some((m) => m.decrypted && m.certificates);
        for (const cert of c.certificates) {
          // A certificate's range covers its DER: the SHA-256 of those bytes is its fingerprint.
          // Decrypted (tls13-dsb): the range is the ciphertext bytes of the DER, as long as it.
          const { createHash } = await import('node:crypto');
          if (decrypted) assert.equal(bytesAt(bytes, cert.range).length, cert.length);
          else assert.equal(createHash('sha256').update(bytesAt(bytes, cert.range)).digest('hex'), cert.sha256);
          checked++;
        }
      }
      assert.ok(checked > 0);
    });
  }
}

// Every record to the end of the stream: tshark's count of content-type-23
// records and their lengths per direction (its JSON, committed beside each
// capture, lists every record) equal the connection's application-data totals.
// The decoder used to stop watching four records after the handshake.
function tsharkAppData(file: string): Map<string, { records: number; bytes: number }> {
  const frames = JSON.parse(readFileSync(join(DIR, file.replace(/\.(pcap|pcapng)(\.gz)?$/, '.tshark.json')), 'utf8')) as Array<Record<string, unknown>>;
  const out = new Map<string, { records: number; bytes: number }>();
  for (const f of frames) {
    for (const tls of asList(f.tls as Record<string, unknown> | Record<string, unknown>[])) {
      if (typeof tls !== 'object' || tls === null) continue;
      for (const rec of asList(tls['tls.record'] as Record<string, unknown> | Record<string, unknown>[])) {
        if (typeof rec !== 'object' || rec === null) continue;
        const type = rec['tls.record.opaque_type'] ?? rec['tls.record.content_type'];
        if (type !== '23') continue;
        const key = `${String(f['tcp.stream'])}:${String(f['tcp.srcport'])}`;
        const t = out.get(key) ?? { records: 0, bytes: 0 };
        t.records++;
        t.bytes += Number(rec['tls.record.length']);
        out.set(key, t);
      }
    }
  }
  return out;
}

for (const file of CAPTURES) {
  test(`${file}: application-data records and bytes to the end of the stream equal tshark's`, async () => {
    const report = await analyse(file);
    const theirs = tsharkAppData(file);
    const streams = [...new Set(tsharkHandshakes(file).map((h) => h.stream))];
    let records = 0;
    for (const stream of streams) {
      const conn = report.connections[streams.indexOf(stream)];
      for (const dir of ['client', 'server'] as const) {
        const port = dir === 'client' ? conn.client.port : conn.server.port;
        const t = theirs.get(`${stream}:${port}`) ?? { records: 0, bytes: 0 };
        assert.deepEqual(conn.tls.applicationData[dir], t, `${dir} application data, stream ${stream}`);
        records += t.records;
      }
      assert.ok(!conn.diagnostics.some((d) => d.code === 'tls.record-truncated'), 'no record cut short');
    }
    if (file !== 'tls12-alert.pcap') assert.ok(records > 0);
  });
}

function findRange(c: ConnectionReport, suffix: string): SourceLocation[] {
  const key = Object.keys(c.clientHello!.ranges!).find((k) => k.endsWith(`.${suffix}`) || k === suffix);
  assert.ok(key, `no range for ${suffix}`);
  return c.clientHello!.ranges![key];
}

test('a Certificate message spread over several TCP segments is reassembled (tls12-chain)', async () => {
  const report = await analyse('tls12-chain.pcap');
  const c = report.connections[0];
  const cert = c.messages.find((m) => m.name === 'Certificate')!;
  assert.ok(cert.packets.length >= 3, `carried by ${cert.packets.length} packets`);
  assert.equal(c.certificates.length, 3);
  assert.ok(cert.range.length >= 3, 'one source range per segment piece');
});

test('a ClientHello split over two segments decodes, and its range has two pieces', async () => {
  const report = await analyse('clienthello-split.pcap');
  const ch = report.connections[0].messages.find((m) => m.name === 'ClientHello')!;
  assert.ok(ch.packets.length >= 2);
  assert.equal(ch.range.length, ch.packets.length);
});

test('HelloRetryRequest: both ClientHellos are listed, serverHello is the real one', async () => {
  const report = await analyse('tls13-hrr.pcap');
  const c = report.connections[0];
  assert.equal(c.messages.filter((m) => m.clientHello).length, 2);
  const hellos = c.messages.filter((m) => m.serverHello);
  assert.equal(hellos[0].serverHello!.helloRetryRequest, true);
  assert.equal(c.serverHello!.helloRetryRequest, false);
  assert.equal(c.tls.versionName, 'TLS 1.3');
});

test('resumption: the second connection is marked resumed and has no Certificate', async () => {
  const report = await analyse('tls12-resume.pcap');
  assert.equal(report.connections.length, 2);
  assert.equal(report.connections[0].tls.resumed, false);
  assert.equal(report.connections[1].tls.resumed, true);
  assert.equal(report.connections[1].certificates.length, 0);
});

test('a failed handshake shows its alert with level and description', async () => {
  const report = await analyse('tls12-alert.pcap');
  const a = report.connections[0].alerts.find((x) => !x.encrypted);
  assert.ok(a, 'a cleartext alert');
  assert.equal(a.level, 2);
  assert.ok(a.packet >= 0);
});

test('IPv6 connection endpoints are in RFC 5952 form', async () => {
  const report = await analyse('ipv6-tls13.pcap');
  assert.equal(report.connections[0].client.address, '::1');
  assert.equal(report.connections[0].tcp.roleBy, 'syn');
});

test('gzip capture gives the same result as the plain one', async () => {
  const [a, b] = await Promise.all([analyse('tls13.pcap'), analyse('tls13.pcap.gz')]);
  assert.equal(b.input.compressed, true);
  assert.deepEqual(b.connections.map((c) => c.fingerprints), a.connections.map((c) => c.fingerprints));
  assert.notEqual(a.input.sha256, b.input.sha256);
});

test('source ranges, resolved on first read, are the same in the object, its JSON and a structured clone', async () => {
  // Its own analysis: the test overwrites a field at the end.
  const report = await analyzeFile(join(DIR, 'tls12-chain.pcap'));
  const c = report.connections[0];
  const ch = c.clientHello!;
  const viaJson = JSON.parse(JSON.stringify(c)) as ConnectionReport;
  const cloned = structuredClone(c);
  assert.ok(Object.keys(ch.ranges!).length > 50, `${Object.keys(ch.ranges!).length} ranges`);
  assert.deepEqual(viaJson.clientHello!.ranges!, ch.ranges!);
  assert.deepEqual(cloned.clientHello!.ranges!, ch.ranges!);
  assert.deepEqual(viaJson.serverHello!.ranges!, c.serverHello!.ranges!);
  // The message list and the top-level field are one object: one resolution serves both.
  assert.equal(c.messages.find((m) => m.clientHello)!.clientHello, ch);
  // The random's range covers the 32 random bytes in the file.
  const bytes = readFileSync(join(DIR, 'tls12-chain.pcap'));
  assert.equal(bytesAt(bytes, ch.ranges!.random).toString('hex'), ch.random);
  // Writable, like the plain property it stands for.
  const replaced = { random: [] as SourceLocation[] };
  ch.ranges! = replaced;
  assert.equal(ch.ranges!, replaced);
});

test('one field\'s source range, looked up without resolving the rest, is the same as in the resolved ranges', async () => {
  const { sourceRangeOf } = await import('../../server/src/output/sourceRanges');
  const lazy = (await analyzeFile(join(DIR, 'tls12-dhe-rsa.pcap'))).connections[0];
  const eager = (await analyzeFile(join(DIR, 'tls12-dhe-rsa.pcap'))).connections[0];
  const keys = Object.keys(eager.clientHello!.ranges!);
  assert.ok(keys.length > 20);
  // Looked up one by one first, on an object whose ranges were never read.
  const one = keys.map((k) => sourceRangeOf(lazy.clientHello!, k));
  assert.deepEqual(one, keys.map((k) => eager.clientHello!.ranges![k]));
  assert.equal(sourceRangeOf(lazy.clientHello!, 'no-such-field'), undefined);
  assert.equal(sourceRangeOf(lazy.clientHello!, 'constructor'), undefined);
  // And the same once resolved.
  assert.deepEqual(lazy.clientHello!.ranges!, eager.clientHello!.ranges!);
  assert.deepEqual(sourceRangeOf(lazy.clientHello!, keys[3]), eager.clientHello!.ranges![keys[3]]);
  assert.equal(sourceRangeOf(lazy.clientHello!, 'constructor'), undefined);
});
