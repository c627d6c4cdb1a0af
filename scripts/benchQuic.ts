/**
 * The QUIC part of the bench (issue #12): a capture of many QUIC flows made
 * from the real handshakes in test/fixtures (ngtcp2 client and server, the
 * quic-censor lab's passing flows, the ClientHello over two Initials), each
 * replayed with a fresh client address and port and fresh connection IDs,
 * then a random amount of 1-RTT data.
 *
 * Connection IDs cannot simply be copied: the Initial keys derive from the
 * client's first Destination Connection ID and the header is the AEAD's
 * associated data, so every Initial is opened with the template's keys and
 * sealed again, with new header protection, under the keys of the new IDs
 * (the engine's quic/ key and protection code, node:crypto underneath).
 * Handshake and 1-RTT packets keep their ciphertext (nobody without the TLS
 * secrets can check it) with the IDs in their headers rewritten. The bulk
 * data is server 1-RTT datagrams of random bytes behind the client's new ID.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PcapParser } from '../server/src/capture/pcap';
import { PcapWriter, rng } from './benchPcap';
import type { CaptureSink, RawPacket } from '../server/src/capture/packet';
import { decodeTcpPacket, newTcpPacket, UDP } from '../server/src/net/tcpPacket';
import { initialSecrets, type InitialSecrets } from '../server/src/quic/keys';
import { openPacket } from '../server/src/quic/initial';
import { splitDatagram } from '../server/src/quic/packet';
import { encryptPayload, headerProtectionMask } from '../server/src/quic/protection';
import { quicVersion } from '../server/src/quic/versions';

interface TemplateDatagram {
  fromClient: boolean;
  /** Seconds after the flow's first datagram. */
  dt: number;
  payload: Uint8Array;
}

interface TemplateFlow {
  datagrams: TemplateDatagram[];
  version: number;
  originalDcid: Uint8Array;
  clientCid: Uint8Array;
  serverCid: Uint8Array;
}

const TEMPLATE_FILES = [
  ['quic', 'ngtcp2-v1.pcap'], ['quic', 'ngtcp2-ffdhe8192.pcap'], ['quic-censor', 'sni-drop', 'client.pcap'],
];

/** The complete handshakes of a template capture (flows whose server answered), by client port. */
function loadFlows(path: string): TemplateFlow[] {
  const byPort = new Map<number, { first: number; list: TemplateDatagram[] }>();
  const t = newTcpPacket();
  const sink: CaptureSink = {
    packet(p: RawPacket) {
      if (decodeTcpPacket(p.linkType, p.data, t) !== UDP) return;
      const fromClient = t.dstPort === 443 || t.dstPort === 4433 || t.dstPort === 4434;
      const port = fromClient ? t.srcPort : t.dstPort;
      let f = byPort.get(port);
      if (!f) byPort.set(port, (f = { first: p.timestamp, list: [] }));
      f.list.push({ fromClient, dt: p.timestamp - f.first, payload: p.data.slice(t.payloadOffset, t.payloadOffset + t.payloadLength) });
    },
    diagnostic() {},
  };
  const parser = new PcapParser(sink);
  parser.push(readFileSync(path));
  parser.end();
  const flows: TemplateFlow[] = [];
  for (const { list } of byPort.values()) {
    const c = list.find((d) => d.fromClient);
    const s = list.find((d) => !d.fromClient);
    if (!c || !s) continue;
    const ch = splitDatagram(c.payload, 0, c.payload.length, 0).packets[0];
    const sh = splitDatagram(s.payload, 0, s.payload.length, 0).packets[0];
    if (!ch?.long || !sh?.long || !ch.scid || !sh.scid) continue;
    flows.push({ datagrams: list, version: ch.version, originalDcid: ch.dcid.slice(), clientCid: ch.scid.slice(), serverCid: sh.scid.slice() });
  }
  return flows;
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A template flow's datagrams with new connection IDs, its Initials sealed again under the new IDs' keys. */
function rewriteFlow(f: TemplateFlow, n: number): Uint8Array[] {
  const fresh = (cid: Uint8Array) => {
    const out = Uint8Array.from(cid);
    for (let i = 0; i < 4 && i < out.length; i++) out[out.length - 1 - i] ^= (n >>> (8 * i)) & 0xff;
    out[0] ^= 0x5a;
    return out;
  };
  const map = new Map<string, Uint8Array>();
  for (const cid of [f.originalDcid, f.clientCid, f.serverCid]) if (cid.length > 0) map.set(hexOf(cid), fresh(cid));
  const info = quicVersion(f.version)!;
  const oldKeys = initialSecrets(info, f.originalDcid);
  const newKeys: InitialSecrets = initialSecrets(info, map.get(hexOf(f.originalDcid))!);
  const largest = { client: -1, server: -1 };
  return f.datagrams.map((d) => {
    const buf = Uint8Array.from(d.payload);
    const from = d.fromClient ? 'client' : 'server';
    // A short header's DCID is the receiver's: the server's ID in the client's packets and the other way round.
    const shortLen = d.fromClient ? f.serverCid.length : f.clientCid.length;
    for (const h of splitDatagram(buf, 0, buf.length, shortLen).packets) {
      const swap = (cid: Uint8Array | null, at: number) => {
        const to = cid && cid.length > 0 ? map.get(hexOf(cid)) : undefined;
        if (to) buf.set(to, at);
      };
      if (h.type === 'Initial') {
        const opened = openPacket(d.payload, h, oldKeys[from], largest[from]);
        if (typeof opened === 'string') throw new Error(`template Initial does not open: ${opened}`);
        largest[from] = Math.max(largest[from], opened.packetNumber);
        swap(h.dcid, h.dcidOffset);
        swap(h.scid, h.scidOffset);
        const headerEnd = opened.payloadOffset;
        const header = Uint8Array.from(buf.subarray(h.start, headerEnd));
        header[0] = opened.firstByte;
        // The unprotected packet number bytes, as they were sent.
        for (let i = 0; i < opened.packetNumberLength; i++) header[h.pnOffset - h.start + i] = (opened.packetNumber >>> (8 * (opened.packetNumberLength - 1 - i))) & 0xff;
        const sealed = encryptPayload(newKeys[from], opened.packetNumber, header, opened.plaintext);
        buf.set(sealed, headerEnd);
        const mask = headerProtectionMask(newKeys[from], buf.subarray(h.pnOffset + 4, h.pnOffset + 20));
        buf[h.start] = header[0] ^ (mask[0] & 0x0f);
        for (let i = 0; i < opened.packetNumberLength; i++) buf[h.pnOffset + i] = header[h.pnOffset - h.start + i] ^ mask[1 + i];
      } else if (h.long) {
        swap(h.dcid, h.dcidOffset);
        swap(h.scid, h.scidOffset);
      } else {
        swap(h.dcid, h.start + 1);
      }
    }
    return buf;
  });
}


type Row = readonly [number, number, number, number, number, Uint8Array, number];

function* flowDatagrams(id: number, tpl: TemplateFlow, rand: () => number, noise: Uint8Array, start: number, meanBulk: number): Generator<Row> {
  const client = (10 << 24) | (2 << 16) | (id & 0xffff);
  const server = (198 << 24) | (51 << 16) | (101 << 8) | (id % 50);
  const cport = 1024 + ((id * 7919) % 60000);
  let ipC = Math.floor(rand() * 65536), ipS = Math.floor(rand() * 65536);
  const payloads = rewriteFlow(tpl, id + 1);
  let t = start;
  for (let i = 0; i < payloads.length; i++) {
    t = Math.max(t, start + tpl.datagrams[i].dt);
    const d = tpl.datagrams[i];
    yield d.fromClient ? [t, client, server, cport, 443, payloads[i], ipC++] : [t, server, client, 443, cport, payloads[i], ipS++];
  }
  // 1-RTT data from the server: short header (fixed bit, key phase 0, 2-byte packet number) to the client's new ID.
  const cid = Uint8Array.from(tpl.clientCid);
  for (let i = 0; i < 4 && i < cid.length; i++) cid[cid.length - 1 - i] ^= ((id + 1) >>> (8 * i)) & 0xff;
  cid[0] ^= 0x5a;
  const bulk = Math.floor(-Math.log(1 - rand() * 0.999) * meanBulk);
  for (let sent = 0; sent < bulk; sent += 1252) {
    const d = new Uint8Array(1252);
    d[0] = 0x41;
    d.set(cid, 1);
    const from = Math.floor(rand() * (noise.length - d.length));
    d.set(noise.subarray(from, from + d.length - 1 - cid.length), 1 + cid.length);
    t += 0.00005;
    yield [t, server, client, 443, cport, d, ipS++];
  }
}


/** Writes a capture of about `targetBytes` of QUIC flows, 64 at a time; returns how many flows. */
export function makeQuicCapture(path: string, targetBytes: number, meanBulk: number): number {
  const fixtures = join(__dirname, '..', 'test', 'fixtures');
  const templates = TEMPLATE_FILES.flatMap((parts) => loadFlows(join(fixtures, ...parts)));
  if (templates.length === 0) throw new Error('no QUIC template flows found in test/fixtures');
  const rand = rng(12);
  const noise = new Uint8Array(1 << 20);
  for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(rand() * 256);
  const fd = openSync(path, 'w');
  const w = new PcapWriter(fd);
  const active: Array<Generator<Row>> = [];
  let id = 0;
  let clock = 1_700_000_000;
  while (w.written < targetBytes || active.length > 0) {
    while (active.length < 64 && w.written < targetBytes) active.push(flowDatagrams(id, templates[id % templates.length], rand, noise, clock + 0.001, meanBulk)), id++;
    for (let i = 0; i < active.length; i++) {
      const r = active[i].next();
      if (r.done) { active.splice(i, 1); i--; continue; }
      const [t, ...rest] = r.value;
      clock = Math.max(clock, t);
      w.udp(clock, ...rest);
    }
  }
  w.flush();
  closeSync(fd);
  process.stderr.write(`made ${path}: ${(w.written / 1e6).toFixed(0)} MB, ${id} QUIC flows from ${templates.length} real handshakes\n`);
  return id;
}

/**
 * Runs a command `runs` times, stdout to `outFile`: the fastest run's elapsed time and CPU time (user + system,
 * all threads), the largest peak RSS. CPU time is printed beside elapsed time because on this shared 2-core
 * machine other jobs stretch elapsed times several-fold while CPU time moves little.
 */
function timeRun(args: string[], outFile: string, runs: number): { seconds: number; cpu: number; maxRssMB: number; out: string } {
  let best = Infinity, cpu = Infinity, rss = 0;
  for (let i = 0; i < runs; i++) {
    const fd = openSync(outFile, 'w');
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...args], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    closeSync(fd);
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    const m = /([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr.trim());
    if (!m) throw new Error(`no timing from /usr/bin/time: ${r.stderr}`);
    best = Math.min(best, Number(m[1]));
    cpu = Math.min(cpu, Number(m[2]) + Number(m[3]));
    rss = Math.max(rss, Number(m[4]) / 1024);
  }
  return { seconds: best, cpu, maxRssMB: rss, out: readFileSync(outFile, 'utf8') };
}

/**
 * Times `analyze` on a capture of QUIC flows against tshark's handshake listing of the same file (tshark also
 * decrypts QUIC Initials to find the ClientHellos), interleaved run by run. Lines for the bench's printout.
 */
export function quicBenchLines(o: { bin: string; dir: string; sizeMB: number; runs: number; regen: boolean; tshark: boolean }): string[] {
  const path = join(o.dir, `quic-${o.sizeMB}MB.pcap`);
  const meanBulk = 100_000;
  if (o.regen || !existsSync(path)) makeQuicCapture(path, o.sizeMB * 1024 * 1024, meanBulk);
  const tsArgs = ['tshark', '-r', path, '-Y', 'tls.handshake', '-T', 'fields', '-e', 'frame.number', '-e', 'tls.handshake.type',
    '-e', 'tls.handshake.ciphersuite', '-e', 'tls.handshake.extensions_server_name'];
  const ours: Array<ReturnType<typeof timeRun>> = [];
  const theirs: Array<ReturnType<typeof timeRun>> = [];
  for (let i = 0; i < o.runs; i++) {
    ours.push(timeRun([o.bin, 'analyze', path], join(o.dir, 'ours-quic.txt'), 1));
    if (o.tshark) theirs.push(timeRun(tsArgs, join(o.dir, 'tshark-quic.txt'), 1));
  }
  const best = (xs: typeof ours) => ({ seconds: Math.min(...xs.map((x) => x.seconds)), cpu: Math.min(...xs.map((x) => x.cpu)), rss: Math.max(...xs.map((x) => x.maxRssMB)), out: xs[0].out });
  const a = best(ours);
  const totals = /(\d+) packets, \d+ TCP, (\d+) QUIC datagrams; (\d+) connection\(s\) shown/.exec(a.out);
  const mb = statSync(path).size / 1e6;
  const lines = [`QUIC flows: ${path} (${mb.toFixed(0)} MB, ${totals ? `${totals[1]} packets, ${totals[2]} QUIC datagrams, ${totals[3]} connections` : '?'}; mean ${meanBulk / 1000} kB of 1-RTT data each)`,
    `  handshake-inspector analyze: ${a.seconds.toFixed(2)} s elapsed, ${a.cpu.toFixed(2)} s CPU (fastest of ${o.runs}), peak RSS ${a.rss.toFixed(0)} MB`];
  if (o.tshark) {
    const t = best(theirs);
    const hellos = t.out.split('\n').filter((l) => /\t1\t/.test(l)).length;
    lines.push(`  tshark -Y tls.handshake:     ${t.seconds.toFixed(2)} s elapsed, ${t.cpu.toFixed(2)} s CPU, peak RSS ${t.rss.toFixed(0)} MB (${hellos} ClientHellos)`);
    lines.push(`  speed-up over tshark: ${(t.seconds / a.seconds).toFixed(1)}× elapsed, ${(t.cpu / a.cpu).toFixed(1)}× CPU`);
  }
  return lines;
}
