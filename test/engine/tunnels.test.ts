// Real captures of TLS handshakes inside tunnels, VLAN tags, IPv4 options and
// IPv4 fragments (test/fixtures/tunnels, made by make.sh there), checked
// through the whole pipeline against what tshark decodes from the same files.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AnalysisReport, ConnectionReport } from '../../shared/analysis';
import { analyzeBytes, analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { compareCaptures } from '../../server/src/compare/compareCaptures';
import fc from 'fast-check';
import { createLinkInfo, locateNetworkLayer } from '../../server/src/capture/linkLayer';
import { PcapParser } from '../../server/src/capture/pcap';
import { ROOT, parseWith, splitPcap, readFixture } from '../helpers/captureFixtures';

const DIR = path.join(ROOT, 'test/fixtures/tunnels');

interface Case {
  name: string;
  client: string;
  server: string;
  /** Expected ConnectionReport.tcp.tunnel. */
  tunnel: string | null;
  version: 'TLS 1.2' | 'TLS 1.3';
}

const CASES: Case[] = [
  { name: 'gre', client: '10.99.1.1', server: '10.99.1.2', tunnel: 'GRE', version: 'TLS 1.3' },
  { name: 'gretap', client: '10.99.2.1', server: '10.99.2.2', tunnel: 'GRE', version: 'TLS 1.2' },
  { name: 'vxlan', client: '10.99.3.1', server: '10.99.3.2', tunnel: 'VXLAN', version: 'TLS 1.3' },
  { name: 'geneve', client: '10.99.4.1', server: '10.99.4.2', tunnel: 'Geneve', version: 'TLS 1.2' },
  { name: 'ipip', client: '10.99.5.1', server: '10.99.5.2', tunnel: 'IP-in-IP', version: 'TLS 1.3' },
  { name: 'sit', client: 'fd00:88:6::1', server: 'fd00:88:6::2', tunnel: 'IP-in-IP', version: 'TLS 1.3' },
  { name: 'vlan', client: '10.99.7.1', server: '10.99.7.2', tunnel: null, version: 'TLS 1.2' },
  { name: 'qinq', client: '10.99.8.1', server: '10.99.8.2', tunnel: null, version: 'TLS 1.3' },
  { name: 'ipopt', client: '10.88.0.1', server: '10.88.0.2', tunnel: null, version: 'TLS 1.2' },
];

/** One row of F.pcap.tshark.tsv: tshark -Y tls.handshake.type -T fields (no header). */
interface HandshakeRow {
  frame: number;
  types: number[];
  cipherSuites: number[];
  serverName: string;
}

function readHandshakes(name: string): HandshakeRow[] {
  const text = fs.readFileSync(path.join(DIR, `${name}.pcap.tshark.tsv`), 'utf8');
  const list = (s: string | undefined) => (s ? s.split(',').map((v) => Number(v)) : []);
  return text.split('\n').filter((l) => l !== '').map((line) => {
    const [frame, types, suites, sni] = line.split('\t');
    return { frame: Number(frame), types: list(types), cipherSuites: list(suites), serverName: sni ?? '' };
  });
}

function rowWith(rows: HandshakeRow[], type: number): HandshakeRow {
  const row = rows.find((r) => r.types.includes(type));
  assert.ok(row, `tshark saw a handshake message of type ${type}`);
  return row;
}

const reports = new Map<string, Promise<AnalysisReport>>();
function analyze(name: string): Promise<AnalysisReport> {
  let r = reports.get(name);
  if (!r) {
    r = analyzeFile(path.join(DIR, `${name}.pcap`), { packets: true });
    reports.set(name, r);
  }
  return r;
}

async function onlyConnection(name: string): Promise<ConnectionReport> {
  const report = await analyze(name);
  assert.equal(report.connections.length, 1, 'one TLS connection');
  return report.connections[0];
}

/** Compares the hellos with tshark's: offered suites in wire order, SNI, chosen suite. */
function assertHellosMatchTshark(c: ConnectionReport, rows: HandshakeRow[]): void {
  const ch = rowWith(rows, 1);
  const sh = rowWith(rows, 2);
  assert.ok(c.clientHello && c.serverHello);
  assert.deepEqual(c.clientHello.cipherSuites, ch.cipherSuites);
  assert.equal(c.clientHello.serverName, ch.serverName);
  assert.equal(c.tls.serverName, ch.serverName);
  assert.equal(sh.cipherSuites.length, 1);
  assert.equal(c.serverHello.cipherSuite, sh.cipherSuites[0]);
  assert.equal(c.tls.cipherSuite, sh.cipherSuites[0]);
}

describe('TLS through tunnels and VLAN tags (real captures)', () => {
  for (const k of CASES) {
    describe(k.name, () => {
      it('finds one TLS connection between the inner addresses, every packet decoded as TCP', async () => {
        const report = await analyze(k.name);
        assert.equal(report.input.tcpPackets, report.input.packets);
        assert.deepEqual(report.input.skipped, {});
        const c = await onlyConnection(k.name);
        assert.ok(c.isTls);
        assert.deepEqual(c.client, { address: k.client, port: c.client.port });
        assert.deepEqual(c.server, { address: k.server, port: 443 });
        assert.equal(c.tcp.roleBy, 'syn');
        assert.equal(c.tcp.packets, report.input.packets);
      });

      it('ClientHello and ServerHello equal what tshark decodes', async () => {
        const c = await onlyConnection(k.name);
        const rows = readHandshakes(k.name);
        assertHellosMatchTshark(c, rows);
        assert.equal(c.tls.versionName, k.version);
      });

      it('sees every clear handshake message in the frame tshark does', async () => {
        const c = await onlyConnection(k.name);
        // Encrypted handshake messages (type -1) have no type in tshark's output.
        const ours = c.messages.filter((m) => m.type >= 0).map((m) => `${m.packet + 1}:${m.type}`);
        const theirs = readHandshakes(k.name).flatMap((r) => r.types.map((t) => `${r.frame}:${t}`));
        assert.deepEqual(ours, theirs);
      });

      it('the handshake is complete', async () => {
        const c = await onlyConnection(k.name);
        assert.equal(c.tls.incomplete, false);
        assert.deepEqual(c.tcp.gaps, { client: [], server: [] });
        assert.ok(c.tls.applicationData.client.records > 0);
        assert.ok(c.tls.applicationData.server.records > 0);
        assert.ok(!c.diagnostics.some((d) => d.severity === 'error' || d.code.startsWith('tcp.')), JSON.stringify(c.diagnostics));
      });

      it(`the connection notes the tunnel (${k.tunnel ?? 'none'})`, async () => {
        const c = await onlyConnection(k.name);
        assert.equal(c.tcp.tunnel, k.tunnel);
      });
    });
  }

  // What makes the captures without a tunnel worth having, checked on the bytes.
  const frames = (name: string) => parseWith((s) => new PcapParser(s), readFixture(DIR, `${name}.pcap`)).packets;

  it('vlan.pcap / qinq.pcap: every frame carries one 802.1Q tag / an 802.1ad and an 802.1Q tag', () => {
    for (const [name, tags, first] of [['vlan', 1, 0x8100], ['qinq', 2, 0x88a8]] as const) {
      const info = createLinkInfo();
      for (const p of frames(name)) {
        assert.ok(locateNetworkLayer(p.linkType, p.data, info));
        assert.equal(info.vlanTags, tags);
        assert.equal((p.data[12] << 8) | p.data[13], first);
        assert.equal(info.offset, 14 + 4 * tags);
      }
    }
  });

  it('ipopt.pcap: every packet has a 12-byte IPv4 Record Route option (IHL 8)', () => {
    for (const p of frames('ipopt')) {
      assert.equal(p.data[14] & 0x0f, 8);
      assert.equal(p.data[14 + 20], 7, 'Record Route');
    }
  });
});

describe('TLS segments fragmented at the IP layer (fragments.pcap)', () => {
  /** The frames of fragments.pcap that are IPv4 fragments, read from their headers (Ethernet, no options). */
  const fragmentFrames = () => parseWith((s) => new PcapParser(s), readFixture(DIR, 'fragments.pcap')).packets
    .map((p, index) => {
      const ip = p.data.subarray(14);
      const ff = (ip[6] << 8) | ip[7];
      const ihl = (ip[0] & 15) * 4;
      return {
        index, fileOffset: p.fileOffset, length: p.data.length, offset: (ff & 0x1fff) * 8, more: (ff & 0x2000) !== 0,
        payload: ((ip[2] << 8) | ip[3]) - ihl, tcpHeader: (ff & 0x1fff) === 0 ? (ip[ihl + 12] >> 4) * 4 : 0,
      };
    })
    .filter((f) => f.more || f.offset > 0);

  it('the capture holds one datagram in two fragments, as its README says', () => {
    const f = fragmentFrames();
    assert.equal(f.length, 2);
    assert.deepEqual(f.map((x) => [x.offset, x.more]), [[0, true], [f[0].payload, false]]);
  });

  it('puts the server flight back together: every handshake message tshark decodes, nothing incomplete', async () => {
    const report = await analyze('fragments');
    assert.deepEqual(report.input.skipped, {});
    assert.equal(report.input.tcpPackets, report.input.packets);
    const c = await onlyConnection('fragments');
    assertHellosMatchTshark(c, readHandshakes('fragments'));
    assert.deepEqual(c.messages.filter((m) => m.type >= 0).map((m) => m.type), readHandshakes('fragments').flatMap((r) => r.types));
    assert.equal(c.tls.versionName, 'TLS 1.2');
    assert.equal(c.tls.incomplete, false);
    assert.deepEqual(c.tcp.gaps, { client: [], server: [] });
    assert.equal(c.certificates.length, 1);
    assert.ok(!c.diagnostics.some((d) => d.code.startsWith('tcp.') || d.code.startsWith('ip.') || d.code === 'tls.record-truncated'), JSON.stringify(c.diagnostics));
    assert.ok(!report.diagnostics.some((d) => d.code.startsWith('ip.')), JSON.stringify(report.diagnostics));
  });

  it('each fragment stays a packet of its own, carrying its share of the segment', async () => {
    const c = await onlyConnection('fragments');
    const f = fragmentFrames();
    const rows = c.packets!.filter((p) => p.notes.includes('fragment'));
    assert.deepEqual(rows.map((r) => r.index), f.map((x) => x.index));
    assert.deepEqual(rows.map((r) => r.from), ['server', 'server']);
    assert.equal(rows[0].length, f[0].payload - f[0].tcpHeader);
    assert.equal(rows[1].length, f[1].payload);
    assert.equal(rows[1].seq, rows[0].seq + rows[0].length);
    // The segment's end (PSH) is on the fragment that ends it.
    assert.ok(!rows[0].flags.includes('P') && rows[1].flags.includes('P'), rows.map((r) => r.flags).join(' '));
    // tshark names the frame that completes the datagram; the messages' bytes are in both.
    assert.equal(rowWith(readHandshakes('fragments'), 2).frame, f[1].index + 1);
  });

  it('a message split by the fragmentation resolves to bytes in both frames, and they are its bytes', async () => {
    const c = await onlyConnection('fragments');
    const f = fragmentFrames();
    const file = readFixture(DIR, 'fragments.pcap');
    const split = c.messages.find((m) => m.packets.length === 2);
    assert.ok(split, 'a handshake message spans the two fragments');
    assert.deepEqual(split.packets, f.map((x) => x.index));
    assert.equal(split.range.length, 2);
    split.range.forEach((r, i) => {
      assert.equal(r.kind, 'offset');
      if (r.kind !== 'offset') return;
      assert.ok(r.offset >= f[i].fileOffset && r.offset + r.length <= f[i].fileOffset + f[i].length, `range ${i} lies in frame ${f[i].index + 1}`);
    });
    const first = split.range[0] as { offset: number; length: number };
    assert.equal(file[first.offset], split.type, 'the range starts at the message type byte');
    assert.equal(split.range.reduce((n, r) => n + (r.kind === 'offset' ? r.length : 0), 0), split.length + 4);
    // The message after it lies wholly in the second fragment.
    const after = c.messages[c.messages.indexOf(split) + 1];
    assert.deepEqual(after.packets, [f[1].index]);
    assert.equal(file[(after.range[0] as { offset: number }).offset], after.type);
  });

  it("the same from tcpdump -XX of the capture: the split message points at its hex on both packets' lines", async () => {
    const dumpPath = path.join(DIR, 'fragments.tcpdump-XX.txt');
    const report = await analyzeFile(dumpPath, { packets: true });
    assert.equal(report.connections.length, 1);
    const c = report.connections[0];
    const binary = await onlyConnection('fragments');
    assert.deepEqual(c.messages.map((m) => [m.name, m.packets]), binary.messages.map((m) => [m.name, m.packets]));
    assert.equal(c.tls.incomplete, false);
    const lines = fs.readFileSync(dumpPath, 'utf8').split('\n');
    const split = c.messages.find((m) => m.packets.length === 2)!;
    const first = split.range[0];
    const last = split.range[split.range.length - 1];
    if (first.kind !== 'text' || last.kind !== 'text') return assert.fail('text ranges');
    assert.equal(lines[first.line].slice(first.column, first.column + 2), split.type.toString(16).padStart(2, '0'));
    // Its first byte is on the first fragment's lines, its last on the second's (tcpdump prints that one as ip-proto-6).
    const second = lines.findIndex((l) => / > .*ip-proto-6/.test(l));
    assert.ok(second > 0 && first.line < second && last.line > second, `${first.line} < ${second} < ${last.line}`);
  });

  describe('damaged or hostile fragments (the capture edited record by record)', () => {
    /** fragments.pcap as its records, to reorder, drop or edit. */
    const records = (): { header: Buffer; list: Buffer[] } => {
      const { header, records: list } = splitPcap(readFixture(DIR, 'fragments.pcap'));
      return { header, list };
    };
    const analyzeRecords = async (header: Buffer, list: Buffer[]): Promise<AnalysisReport> =>
      analyzeBytes(Buffer.concat([header, ...list]), 'edited.pcap', { packets: true });
    const fragIndexes = () => fragmentFrames().map((f) => f.index);

    it('fragments arriving in the other order make the same handshake', async () => {
      const { header, list } = records();
      const [a, b] = fragIndexes();
      [list[a], list[b]] = [list[b], list[a]];
      const report = await analyzeRecords(header, list);
      const c = report.connections[0];
      const ref = await onlyConnection('fragments');
      assert.deepEqual(c.messages.map((m) => m.name), ref.messages.map((m) => m.name));
      assert.deepEqual(c.certificates.map((x) => x.sha256), ref.certificates.map((x) => x.sha256));
      assert.equal(c.tls.incomplete, false);
      assert.deepEqual(report.input.skipped, {});
    });

    it('a second copy of a fragment with other bytes is reported, and the first copy kept', async () => {
      const { header, list } = records();
      const [a] = fragIndexes();
      // A forged copy of the first fragment, right behind it: another ServerHello random.
      const forged = Buffer.from(list[a]);
      forged[16 + 14 + 20 + fragmentFrames()[0].tcpHeader + 5 + 4 + 2] ^= 0xff;
      list.splice(a + 1, 0, forged);
      const report = await analyzeRecords(header, list);
      const c = report.connections[0];
      const ref = await onlyConnection('fragments');
      const overlap = report.diagnostics.filter((d) => d.code === 'ip.fragment-overlap');
      assert.equal(overlap.length, 1, JSON.stringify(report.diagnostics));
      assert.equal(overlap[0].packet, a + 1);
      assert.match(overlap[0].message, new RegExp(`differ from the copy in packet ${a + 1}; the first copy is kept`));
      assert.equal(c.serverHello?.random, ref.serverHello?.random);
      assert.deepEqual(c.messages.map((m) => m.name), ref.messages.map((m) => m.name));
      assert.equal(c.tls.incomplete, false);
      assert.deepEqual(report.input.skipped, { 'IP fragment contradicting an earlier copy': 1 });
      // An identical copy while the datagram waits is a duplicate, and no news.
      const same = records();
      same.list.splice(a + 1, 0, Buffer.from(same.list[a]));
      const dup = await analyzeRecords(same.header, same.list);
      assert.deepEqual(dup.input.skipped, { 'duplicate IP fragment': 1 });
      assert.ok(!dup.diagnostics.some((d) => d.code.startsWith('ip.')), JSON.stringify(dup.diagnostics));
    });

    it('a late copy of a fragment: dropped as a duplicate when it repeats the bytes, reported when it does not', async () => {
      const [, b] = fragIndexes();
      const same = records();
      same.list.splice(b + 1, 0, Buffer.from(same.list[b]));
      const dup = await analyzeRecords(same.header, same.list);
      assert.deepEqual(dup.input.skipped, { 'duplicate IP fragment': 1 });
      assert.ok(!dup.diagnostics.some((d) => d.code.startsWith('ip.')), JSON.stringify(dup.diagnostics));
      assert.equal(dup.connections[0].tls.incomplete, false);
      const other = records();
      const forged = Buffer.from(other.list[b]);
      forged[forged.length - 1] ^= 0xff;
      other.list.splice(b + 1, 0, forged);
      const report = await analyzeRecords(other.header, other.list);
      assert.deepEqual(report.input.skipped, { 'IP fragment contradicting an earlier copy': 1 });
      assert.deepEqual(report.diagnostics.map((d) => [d.code, d.packet]), [['ip.fragment-overlap', b + 1]]);
      assert.equal(report.connections[0].tls.incomplete, false);
    });

    it('without its last fragment the datagram is decoded as far as it goes, as a gap, and reported', async () => {
      const { header, list } = records();
      const [, b] = fragIndexes();
      list.splice(b, 1);
      const report = await analyzeRecords(header, list);
      const c = report.connections[0];
      const d = report.diagnostics.find((x) => x.code === 'ip.fragments-incomplete');
      assert.ok(d, JSON.stringify(report.diagnostics));
      assert.match(d.message, /never completed \(1 fragment\(s\), \d+ of an unknown number of bytes in order from the start\); decoded as far as they go/);
      assert.equal(report.input.tcpPackets, report.input.packets);
      assert.equal(c.tls.incomplete, true);
      assert.equal(c.tcp.gaps.server.length, 1);
      assert.ok(c.messages.some((m) => m.name === 'ServerHello'));
    });

    it('without its first fragment nothing of the datagram is decoded, and the rest goes on', async () => {
      const { header, list } = records();
      const [a] = fragIndexes();
      list.splice(a, 1);
      const report = await analyzeRecords(header, list);
      assert.deepEqual(report.input.skipped, { 'IP fragment of a datagram never completed': 1 });
      assert.ok(report.diagnostics.some((x) => x.code === 'ip.fragments-incomplete' && /first fragment is missing/.test(x.message)));
      const c = report.connections[0];
      assert.ok(c.clientHello);
      assert.equal(c.tls.incomplete, true);
    });

    it('edited fragment headers, reordered and repeated fragments: never a throw, every packet accounted for, every range in the file', () => {
      const { header, list } = records();
      const frags = fragIndexes();
      const ipHeader = 16 + 14;
      fc.assert(fc.property(
        // Edits to the fragments' IP headers (total length, id, flags and offset, protocol) and to their first payload bytes.
        fc.array(fc.tuple(fc.constantFrom(...frags), fc.integer({ min: ipHeader + 2, max: ipHeader + 40 }), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
        // Then each fragment record is sent 0-3 times, at the end or in place.
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: frags.length, maxLength: frags.length }),
        fc.boolean(),
        (edits, copies, atEnd) => {
          const edited = list.map((r) => Buffer.from(r));
          for (const [i, at, v] of edits) if (at < edited[i].length) edited[i][at] = v;
          const out: Buffer[] = [];
          const tail: Buffer[] = [];
          edited.forEach((r, i) => {
            const k = frags.indexOf(i);
            if (k < 0) out.push(r);
            else for (let n = 0; n < copies[k]; n++) (atEnd ? tail : out).push(r);
          });
          const bytes = Buffer.concat([header, ...out, ...tail]);
          const r = analyzeBytes(bytes, 'fuzzed.pcap', { packets: true });
          const skipped = Object.values(r.input.skipped).reduce((a, b) => a + b, 0);
          assert.equal(r.input.tcpPackets + skipped, r.input.packets, JSON.stringify(r.input.skipped));
          const inFile = (l: { kind: string; offset?: number; length?: number } | null) =>
            !l || l.kind !== 'offset' || (l.offset! >= 0 && l.offset! + l.length! <= bytes.length);
          for (const d of r.diagnostics) assert.ok(inFile(d.location) && (d.packet === undefined || d.packet < r.input.packets), JSON.stringify(d));
          for (const c of r.connections) for (const m of c.messages) for (const l of m.range) assert.ok(inFile(l), `${m.name} ${JSON.stringify(l)}`);
          return true;
        },
      ), { numRuns: 300 });
    });

    it('a fragment claiming to end past 65,535 bytes is dropped with an error at its header', async () => {
      const { header, list } = records();
      const [, b] = fragIndexes();
      const rec = Buffer.from(list[b]);
      // Fragment offset 8190 × 8 bytes = 65,520: its 84 bytes would end past 65,535.
      rec.writeUInt16BE(0x1ffe, 16 + 14 + 6);
      list[b] = rec;
      const report = await analyzeRecords(header, list);
      const d = report.diagnostics.find((x) => x.code === 'ip.fragment-length');
      assert.ok(d && d.severity === 'error', JSON.stringify(report.diagnostics));
      assert.equal(d.packet, b);
      assert.equal(d.location?.kind, 'offset');
      assert.ok(report.connections[0].clientHello);
    });
  });
});

describe('IPv6 fragments (a real IPv6 loopback handshake, its server flight cut into fragments by the test)', () => {
  const file = readFixture(ROOT, 'test/fixtures/handshakes/ipv6-tls13.pcap');
  const { header, records: list } = splitPcap(file);
  const IP6 = 16 + 14;
  // The server's first data segment (ServerHello onwards): the largest frame.
  const big = list.reduce((best, r, i) => (r.length > list[best].length ? i : best), 0);

  /** The record as IPv6 fragments with a Fragment header each (RFC 8200 §4.5), cut at `cuts` (multiples of 8) of its IPv6 payload. */
  function fragmentRecord(rec: Buffer, cuts: number[], id: number): Buffer[] {
    const payload = rec.subarray(IP6 + 40);
    const bounds = [0, ...cuts, payload.length];
    const out: Buffer[] = [];
    for (let k = 0; k + 1 < bounds.length; k++) {
      const part = payload.subarray(bounds[k], bounds[k + 1]);
      const frame = Buffer.alloc(14 + 40 + 8 + part.length);
      rec.copy(frame, 0, 16, IP6 + 40);
      frame.writeUInt16BE(8 + part.length, 14 + 4);
      frame[14 + 6] = 44;
      frame[14 + 40] = rec[IP6 + 6];
      frame.writeUInt16BE((bounds[k] / 8) << 3 | (k + 2 < bounds.length ? 1 : 0), 14 + 40 + 2);
      frame.writeUInt32BE(id, 14 + 40 + 4);
      part.copy(frame, 14 + 48);
      const hdr = Buffer.from(rec.subarray(0, 16));
      hdr.writeUInt32LE(frame.length, 8);
      hdr.writeUInt32LE(frame.length, 12);
      out.push(Buffer.concat([hdr, frame]));
    }
    return out;
  }

  const whole = analyzeBytes(file, 'ipv6.pcap', { packets: true });

  it('the fixture is IPv6 with the ServerHello in one big segment', () => {
    assert.equal(list[big][IP6] >> 4, 6);
    assert.equal(list[big][IP6 + 6], 6, 'next header TCP');
    assert.ok(whole.connections[0].messages.some((m) => m.name === 'ServerHello' && m.packet === big));
  });

  it('a flood of 8-byte fragments is given up after 64 with a warning, decoded as far as they went, every packet accounted for', () => {
    const cuts = Array.from({ length: Math.floor((list[big].length - IP6 - 40 - 1) / 8) }, (_, i) => (i + 1) * 8);
    const frags = fragmentRecord(list[big], cuts, 7);
    assert.ok(frags.length > 64, `${frags.length}`);
    const r = analyzeBytes(Buffer.concat([header, ...list.slice(0, big), ...frags, ...list.slice(big + 1)]), 'flood.pcap', { packets: true });
    const d = r.diagnostics.filter((x) => x.code === 'ip.fragments-too-many');
    assert.equal(d.length, 1, JSON.stringify(r.diagnostics.map((x) => x.code)));
    assert.equal(d[0].packet, big + 64);
    const skipped = Object.values(r.input.skipped).reduce((a, b) => a + b, 0);
    assert.equal(r.input.tcpPackets + skipped, r.input.packets);
    // The 65 fragments given up are decoded as the first 520 bytes of the segment; the rest of the flood
    // starts datagrams that never complete (their first fragment is gone).
    const c = r.connections[0];
    assert.equal(c.packets!.filter((p) => p.notes.includes('fragment')).length, 65);
    assert.equal(r.input.skipped['IP fragment of a datagram never completed'], frags.length - 65);
    assert.equal(c.tls.incomplete, true);
  });

  for (const [name, order] of [['in order', [0, 1, 2]], ['last first, then the rest', [2, 0, 1]]] as const) {
    it(`three fragments ${name} make the same handshake, each fragment a packet with its own bytes`, () => {
      const frags = fragmentRecord(list[big], [600, 1200], 0x1234abcd);
      const edited = [...list.slice(0, big), ...order.map((k) => frags[k]), ...list.slice(big + 1)];
      const r = analyzeBytes(Buffer.concat([header, ...edited]), 'ipv6-frag.pcap', { packets: true });
      assert.deepEqual(r.input.skipped, {});
      assert.equal(r.input.tcpPackets, r.input.packets);
      assert.ok(!r.diagnostics.some((d) => d.code.startsWith('ip.')), JSON.stringify(r.diagnostics));
      const c = r.connections[0];
      const ref = whole.connections[0];
      assert.deepEqual(c.messages.map((m) => m.name), ref.messages.map((m) => m.name));
      assert.equal(c.serverHello?.random, ref.serverHello?.random);
      assert.deepEqual(c.fingerprints, ref.fingerprints);
      assert.equal(c.tls.incomplete, ref.tls.incomplete);
      const rows = c.packets!.filter((p) => p.notes.includes('fragment'));
      assert.deepEqual(rows.map((p) => p.index), [big, big + 1, big + 2]);
      // The timeline is in capture order, whatever order the datagram was completed in.
      assert.deepEqual(c.packets!.map((p) => p.index), c.packets!.map((p) => p.index).sort((a, b) => a - b));
      // The first fragment also carries the 32-byte TCP header.
      assert.deepEqual(rows.map((p) => p.length).sort((a, b) => a - b), [260, 600, 600 - 32].sort((a, b) => a - b));
      // The ServerHello's bytes are in the frame that was the first fragment, at its place in the file.
      const sh = c.messages.find((m) => m.name === 'ServerHello')!;
      const at = order.indexOf(0);
      assert.equal(sh.packet, big + at);
      const bytes = Buffer.concat([header, ...edited]);
      const loc = sh.range[0] as { offset: number };
      assert.equal(bytes[loc.offset], 2, 'handshake type ServerHello');
    });
  }
});

describe('two vantage points of a path that fragments (fragments.pcap at the client, fragments-server.pcap at the server)', () => {
  const client = path.join(DIR, 'fragments.pcap');
  const server = path.join(DIR, 'fragments-server.pcap');

  it('no interference: the server\'s one segment is paired with the two fragments that carried it, bytes compared', async () => {
    const r = await compareCaptures(client, server);
    assert.equal(r.pairs.length, 1);
    const p = r.pairs[0];
    assert.equal(p.interference.kind, 'none', p.interference.evidence.join('\n'));
    assert.ok(!p.packets.some((x) => x.status === 'dropped' || x.status === 'injected'), JSON.stringify(p.packets.filter((x) => x.status !== 'delivered')));
    const cut = p.packets.filter((x) => x.notes.includes('resegmented'));
    assert.equal(cut.length, 1);
    assert.equal(cut[0].from, 'relay');
    assert.equal(cut[0].status, 'delivered');
    assert.ok(!cut[0].notes.includes('bytes-not-compared'));
    assert.ok(cut[0].tls.includes('ServerHello'));
    const firstFragment = (await onlyConnection('fragments')).packets!.find((x) => x.notes.includes('fragment'))!;
    assert.equal(cut[0].clientIndex, firstFragment.index);
    assert.deepEqual(cut[0].evidence, [`Arrived cut into 2 IP fragments (client capture packets #${firstFragment.index + 1}, #${firstFragment.index + 2}); together they carry exactly the bytes sent.`]);
  });

  it('a fragment whose bytes were changed on the way makes the segment modified, not delivered', async () => {
    const { header, records: list } = splitPcap(readFixture(client));
    const second = (await onlyConnection('fragments')).packets!.filter((x) => x.notes.includes('fragment'))[1];
    list[second.index][list[second.index].length - 20] ^= 0x01;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hi-frag-pair-'));
    const edited = path.join(dir, 'client-edited.pcap');
    fs.writeFileSync(edited, Buffer.concat([header, ...list]));
    const r = await compareCaptures(edited, server);
    const cut = r.pairs[0].packets.filter((x) => x.notes.includes('resegmented'));
    assert.equal(cut.length, 1);
    assert.equal(cut[0].status, 'modified');
    assert.match(cut[0].evidence!.join(' '), /together they carry other bytes than were sent/);
  });
});
