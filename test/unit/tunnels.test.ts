// Real captures of TLS handshakes inside tunnels, VLAN tags, IPv4 options and
// IPv4 fragments (test/fixtures/tunnels, made by make.sh there), checked
// through the whole pipeline against what tshark decodes from the same files.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { AnalysisReport, ConnectionReport } from '../../shared/analysis';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { createLinkInfo, locateNetworkLayer } from '../../server/src/capture/linkLayer';
import { PcapParser } from '../../server/src/capture/pcap';
import { ROOT, parseWith, readFixture } from './captureFixtures';

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
  it('keeps the first fragment, flagged; the later fragment is counted as skipped', async () => {
    const report = await analyze('fragments');
    assert.deepEqual(report.input.skipped, { 'IPv4 fragment (not first)': 1 });
    assert.equal(report.input.tcpPackets, report.input.packets - 1);
    const c = await onlyConnection('fragments');
    assert.deepEqual(c.client, { address: '10.88.1.2', port: c.client.port });
    assert.deepEqual(c.server, { address: '10.88.2.2', port: 443 });
    assert.equal(c.tcp.tunnel, null);
    const flagged = c.packets!.filter((p) => p.notes.includes('fragment'));
    assert.equal(flagged.length, 1);
    assert.equal(flagged[0].from, 'server');
    // tshark reassembles the datagram and shows the hellos in the fragment that completes it.
    const sh = rowWith(readHandshakes('fragments'), 2);
    assert.ok(flagged[0].index < sh.frame - 1);
    assert.deepEqual(flagged[0].tls.slice(0, 1), ['ServerHello']);
  });

  it('the hellos, inside the first fragment, still equal what tshark decodes', async () => {
    const c = await onlyConnection('fragments');
    assertHellosMatchTshark(c, readHandshakes('fragments'));
    assert.equal(c.tls.versionName, 'TLS 1.2');
  });

  it('the bytes of the later fragment are a gap: the handshake is reported incomplete, the rest still decoded', async () => {
    const c = await onlyConnection('fragments');
    const frag = c.packets!.find((p) => p.notes.includes('fragment'))!;
    // The first fragment's IP length covers only its own share of the segment;
    // the next server segment starts where the whole segment ended.
    const next = c.packets!.find((p) => p.from === 'server' && p.index > frag.index && p.length > 0)!;
    assert.deepEqual(c.tcp.gaps, { client: [], server: [{ start: frag.seq + frag.length, length: next.seq - (frag.seq + frag.length) }] });
    assert.ok(next.notes.includes('after-gap'));
    assert.equal(c.tls.incomplete, true);
    assert.ok(c.diagnostics.some((d) => d.code === 'tcp.gap'));
    assert.ok(c.diagnostics.some((d) => d.code === 'tls.record-truncated'));
    // Past the gap: the client's key exchange and the server's ticket are decoded in clear.
    const names = c.messages.map((m) => m.name);
    assert.ok(names.includes('ClientKeyExchange') && names.includes('NewSessionTicket'), names.join(' '));
    assert.ok(c.tls.applicationData.client.records > 0 && c.tls.applicationData.server.records > 0);
  });
});
