/**
 * `npm run bench`: analyse a ~1 GB capture of real-looking TLS traffic with
 * the CLI exactly as a user runs it (`handshake-inspector analyze FILE`, the
 * bin with its launcher flags, writing its summary to a file) and print, from
 * one run, its time against tshark's and against a bare read of the same
 * file, as ratios, plus peak memory at two file sizes (it should be flat:
 * bound by open connections, not by file size). Each contender runs
 * `--runs` times (default 3) and its fastest run counts: this machine is a
 * shared VM whose speed drifts by ±15% between runs.
 *
 * The capture is made once (cached in .bench/) from real handshakes recorded
 * by openssl (test/fixtures/handshakes/): each synthetic connection replays a
 * real handshake with fresh addresses, ports and sequence numbers, then
 * carries a random amount of application data in 16 KiB TLS records cut into
 * 1448-byte segments, with ACKs, then closes; 64 connections run interleaved.
 * The main capture's connections carry 200 kB on average; a second, quarter
 * size capture of short connections (20 kB on average, ten times as many
 * handshakes per byte) shows the case where the work per connection dominates.
 *
 * A capture of QUIC flows (a fifth of --size, at least 200 MB: scripts/benchQuic.ts) is timed the same way.
 * Flags: --size MB (default 1024), --runs N (default 3), --no-tshark, --memory-only (only the issue #16
 * memory and compare measurements), --regen, --quic-only, --quic-size MB;
 * --make PATH MB writes only a capture of MB megabytes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PcapParser } from '../server/src/capture/pcap';
import type { CaptureSink, RawPacket } from '../server/src/capture/packet';
import { decodeTcpPacket, newTcpPacket, TcpFlag } from '../server/src/net/tcpPacket';
import { quicBenchLines } from './benchQuic';
import { PcapWriter, rng } from './benchPcap';

interface TemplatePacket {
  fromClient: boolean;
  flags: number;
  seq: number;
  ack: number;
  window: number;
  options: Uint8Array;
  payload: Uint8Array;
}

const TEMPLATES = ['tls12-ecdhe-rsa.pcap', 'tls13.pcap', 'tls12-dhe-rsa.pcap', 'tls12-chain.pcap'];

function loadTemplate(path: string): TemplatePacket[] {
  const packets: TemplatePacket[] = [];
  const t = newTcpPacket();
  let clientPort = -1;
  let isnC = 0, isnS = 0;
  let handshakeOver = false;
  const sink: CaptureSink = {
    packet(p: RawPacket) {
      if (handshakeOver || decodeTcpPacket(p.linkType, p.data, t) !== null) return;
      if (clientPort < 0) {
        if (!(t.flags & TcpFlag.SYN) || (t.flags & TcpFlag.ACK)) return;
        clientPort = t.srcPort;
      }
      const fromClient = t.srcPort === clientPort;
      if (t.flags & TcpFlag.SYN) {
        if (fromClient) isnC = t.seq; else isnS = t.seq;
      }
      const payload = p.data.slice(t.payloadOffset, t.payloadOffset + t.payloadLength);
      // Stop at the first application data: the bulk part is synthesised.
      if (payload.length > 0 && payload[0] === 0x17 && !(t.flags & TcpFlag.SYN)) {
        // TLS 1.3 servers send encrypted handshake records (type 23) right after
        // the ServerHello: only the client's first type-23 record ends the handshake.
        if (fromClient) { handshakeOver = true; return; }
      }
      packets.push({
        fromClient, flags: t.flags, window: t.window,
        seq: (t.seq - (fromClient ? isnC : isnS)) >>> 0,
        ack: t.flags & TcpFlag.ACK ? (t.ack - (fromClient ? isnS : isnC)) >>> 0 : 0,
        options: p.data.slice(t.tcpOffset + 20, t.tcpOffset + t.tcpHeaderLength),
        payload,
      });
    },
    diagnostic() {},
  };
  const parser = new PcapParser(sink);
  parser.push(readFileSync(path));
  parser.end();
  // Drop the template's own teardown; each synthetic connection closes itself.
  return packets.filter((p) => !(p.flags & (TcpFlag.FIN | TcpFlag.RST)));
}


function* connectionPackets(id: number, tpl: TemplatePacket[], rand: () => number, noise: Uint8Array, start: number, meanBulk: number) {
  const client = (10 << 24) | (1 << 16) | (id & 0xffff);
  const server = (198 << 24) | (51 << 16) | (100 << 8) | (id % 50);
  const cport = 1024 + (id * 7919) % 60000;
  const sport = 443;
  const isnC = Math.floor(rand() * 2 ** 32), isnS = Math.floor(rand() * 2 ** 32);
  let t = start;
  let ipC = Math.floor(rand() * 65536), ipS = Math.floor(rand() * 65536);
  let cNext = 0, sNext = 0;
  for (const p of tpl) {
    t += 0.0002 + rand() * 0.002;
    const seq = (p.fromClient ? isnC : isnS) + p.seq;
    const ack = p.flags & TcpFlag.ACK ? (p.fromClient ? isnS : isnC) + p.ack : 0;
    if (p.fromClient) cNext = Math.max(cNext, p.seq + p.payload.length + (p.flags & TcpFlag.SYN ? 1 : 0));
    else sNext = Math.max(sNext, p.seq + p.payload.length + (p.flags & TcpFlag.SYN ? 1 : 0));
    yield p.fromClient
      ? [t, client, server, cport, sport, seq, ack, p.flags, p.window, p.options, p.payload, ipC++] as const
      : [t, server, client, sport, cport, seq, ack, p.flags, p.window, p.options, p.payload, ipS++] as const;
  }
  // Bulk download: 16 KiB application-data records cut into MSS-sized segments.
  const bulk = Math.floor(-Math.log(1 - rand() * 0.999) * meanBulk);
  let sent = 0;
  let recordLeft = 0;
  const seg = new Uint8Array(1448);
  const empty = new Uint8Array(0);
  let n = 0;
  while (sent < bulk) {
    let k = 0;
    while (k < seg.length && sent + k < bulk) {
      if (recordLeft === 0) {
        const rl = 16384 + 24;
        if (k + 5 > seg.length) break;
        seg[k] = 0x17; seg[k + 1] = 3; seg[k + 2] = 3; seg[k + 3] = rl >> 8; seg[k + 4] = rl & 255;
        k += 5;
        recordLeft = rl;
      }
      const take = Math.min(recordLeft, seg.length - k);
      const from = Math.floor(rand() * (noise.length - take));
      seg.set(noise.subarray(from, from + take), k);
      k += take;
      recordLeft -= take;
    }
    t += 0.00005;
    yield [t, server, client, sport, cport, isnS + sNext, isnC + cNext, TcpFlag.ACK | TcpFlag.PSH, 501, empty, seg.subarray(0, k), ipS++] as const;
    sNext += k;
    sent += k;
    if (++n % 2 === 0) yield [t + 0.00001, client, server, cport, sport, isnC + cNext, isnS + sNext, TcpFlag.ACK, 2000, empty, empty, ipC++] as const;
  }
  t += 0.001;
  yield [t, client, server, cport, sport, isnC + cNext, isnS + sNext, TcpFlag.FIN | TcpFlag.ACK, 2000, empty, empty, ipC++] as const;
  yield [t + 0.0002, server, client, sport, cport, isnS + sNext, isnC + cNext + 1, TcpFlag.FIN | TcpFlag.ACK, 501, empty, empty, ipS++] as const;
  yield [t + 0.0004, client, server, cport, sport, isnC + cNext + 1, isnS + sNext + 1, TcpFlag.ACK, 2000, empty, empty, ipC++] as const;
}

/** Writes a capture of about `targetBytes`; each connection carries an exponentially distributed amount of data with mean `meanBulk`. */
function makeCapture(path: string, targetBytes: number, meanBulk: number): void {
  const dir = join(__dirname, '..', 'test', 'fixtures', 'handshakes');
  const templates = TEMPLATES.map((f) => join(dir, f)).filter(existsSync).map(loadTemplate).filter((t) => t.length > 3);
  if (templates.length === 0) throw new Error(`no handshake templates found in ${dir}`);
  const rand = rng(42);
  const noise = new Uint8Array(1 << 20);
  for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(rand() * 256);
  const fd = openSync(path, 'w');
  const w = new PcapWriter(fd);
  const active: Array<Generator<readonly [number, number, number, number, number, number, number, number, number, Uint8Array, Uint8Array, number]>> = [];
  let id = 0;
  let clock = 1_700_000_000;
  while (w.written < targetBytes || active.length > 0) {
    while (active.length < 64 && w.written < targetBytes) active.push(connectionPackets(id, templates[id % templates.length], rand, noise, clock + id * 0.001, meanBulk) as never), id++;
    for (let i = 0; i < active.length; i++) {
      const r = active[i].next();
      if (r.done) { active.splice(i, 1); i--; continue; }
      const [t, ...rest] = r.value;
      clock = Math.max(clock, t);
      w.tcp(clock, ...(rest as unknown as [number, number, number, number, number, number, number, number, Uint8Array, Uint8Array, number]));
    }
  }
  w.flush();
  closeSync(fd);
  process.stderr.write(`made ${path}: ${(w.written / 1e6).toFixed(0)} MB, ${id} connections\n`);
}

/** The reference "plain read": a bare loop over the pcap records, as fast as Node reads. */
function plainRead(path: string): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 20);
  let n = 0;
  let have = readSync(fd, buf, 0, buf.length, 0);
  let filePos = have;
  let off = 24;
  while (true) {
    if (have - off < 16 || have - off < 16 + buf.readUInt32LE(off + 8)) {
      buf.copy(buf, 0, off, have);
      have -= off; off = 0;
      const r = readSync(fd, buf, have, buf.length - have, filePos);
      if (r === 0) break;
      filePos += r; have += r;
      continue;
    }
    const incl = buf.readUInt32LE(off + 8);
    off += 16 + incl;
    n++;
  }
  closeSync(fd);
  return n;
}

/** Runs a command `runs` times with stdout to `outFile`; the fastest run's time and the largest peak RSS. */
function timeChild(args: string[], outFile: string, runs: number): { seconds: number; maxRssMB: number; out: string } {
  let best = Infinity;
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const fd = openSync(outFile, 'w');
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...args], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    closeSync(fd);
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    const m = /([\d.]+) (\d+)\s*$/.exec(r.stderr.trim());
    if (!m) throw new Error(`no timing from /usr/bin/time: ${r.stderr}`);
    best = Math.min(best, Number(m[1]));
    rss = Math.max(rss, Number(m[2]) / 1024);
  }
  // compare --json of 200 MB captures writes more than V8's longest string: a big output is read back
  // only at its end (analyze's summary ends with the totals line).
  return { seconds: best, maxRssMB: rss, out: statSync(outFile).size < 64 << 20 ? readFileSync(outFile, 'utf8') : tailOf(outFile, 1 << 16) };
}

function tailOf(path: string, bytes: number): string {
  const fd = openSync(path, 'r');
  const size = statSync(path).size;
  const buf = Buffer.alloc(Math.min(bytes, size));
  readSync(fd, buf, 0, buf.length, size - buf.length);
  closeSync(fd);
  return buf.toString('utf8');
}

/** How often `needle` (ASCII) occurs in a file, read in pieces (compare --json outputs are hundreds of MB). */
function countInFile(path: string, needle: string): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(4 << 20);
  let carry = '';
  let n = 0;
  for (let got; (got = readSync(fd, buf, 0, buf.length, null)) > 0;) {
    const text = carry + buf.toString('latin1', 0, got);
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) n++;
    carry = text.slice(Math.max(0, text.length - needle.length + 1));
  }
  closeSync(fd);
  return n;
}

/**
 * Reading the file and computing its SHA-256, as the CLI's reading thread does
 * (4 MiB reads, Node's OpenSSL hash): `input.sha256` is part of the output
 * contract, so no run of ours can take less than this on one core.
 */
function readAndHash(path: string): string {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  const hash = createHash('sha256');
  for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
  closeSync(fd);
  return hash.digest('hex');
}

/** The reference readers, each in a process of its own like the other contenders. */
function child(mode: string, path: string): void {
  if (mode === 'plain') process.stdout.write(JSON.stringify({ packets: plainRead(path) }));
  else if (mode === 'hash') process.stdout.write(JSON.stringify({ sha256: readAndHash(path) }));
  else throw new Error(`unknown child mode ${mode}`);
}

/** tshark's handshake listing, as the issue measures it. */
function tshark(path: string, outFile: string, runs: number): { seconds: number; maxRssMB: number; out: string } {
  return timeChild(['tshark', '-r', path, '-Y', 'tls.handshake', '-T', 'fields', '-e', 'frame.number', '-e', 'tls.handshake.type',
    '-e', 'tls.handshake.ciphersuite', '-e', 'tls.handshake.extensions_server_name'], outFile, runs);
}

function totalsOf(out: string): { packets: string; connections: number } {
  const totals = /(\d+) packets, \d+ TCP; (\d+) connection\(s\) shown/.exec(out);
  if (!totals) throw new Error('no totals line in the analyze output');
  return { packets: totals[1], connections: Number(totals[2]) };
}

const MEAN_BULK = 200_000;
/** Short connections (web browsing, API calls): here the work per connection dominates, not the work per byte. */
const SHORT_MEAN_BULK = 20_000;
/** Many short connections, ~100k per GB (issue #16's ordinary traffic for memory and compare). */
const MANY_MEAN_BULK = 3_500;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2]);
  // Only the capture (for the editor's timing script, scripts/editor-timing.mjs): --make PATH MB.
  if (args[0] === '--make') return makeCapture(args[1], Number(args[2]) * 1024 * 1024, MEAN_BULK);
  // Only a capture of many short connections (the compare measurements below): --make-many PATH MB.
  if (args[0] === '--make-many') return makeCapture(args[1], Number(args[2]) * 1024 * 1024, MANY_MEAN_BULK);
  // Only the capture of short connections (for scripts/contract-size.mjs): --make-short PATH MB.
  if (args[0] === '--make-short') return makeCapture(args[1], Number(args[2]) * 1024 * 1024, SHORT_MEAN_BULK);
  const sizeMB = Number(args[args.indexOf('--size') + 1]) || 1024;
  const dir = join(__dirname, '..', '.bench');
  mkdirSync(dir, { recursive: true });
  const quic = () => quicBenchLines({
    bin: join(__dirname, '..', 'bin', 'handshake-inspector.js'), dir, runs: Math.max(1, Number(args[args.indexOf('--runs') + 1]) || 3),
    regen: args.includes('--regen'), tshark: !args.includes('--no-tshark'),
    sizeMB: Number(args[args.indexOf('--quic-size') + 1]) || Math.max(200, Math.round(sizeMB / 5)),
  });
  if (args.includes('--quic-only')) {
    process.stdout.write(`${quic().join('\n')}\n`);
    return;
  }
  const big = join(dir, `tls-${sizeMB}MB.pcap`);
  const small = join(dir, `tls-${Math.round(sizeMB / 4)}MB.pcap`);
  const short = join(dir, `tls-short-${Math.round(sizeMB / 4)}MB.pcap`);
  for (const [p, mb, mean] of [[big, sizeMB, MEAN_BULK], [small, Math.round(sizeMB / 4), MEAN_BULK], [short, Math.round(sizeMB / 4), SHORT_MEAN_BULK]] as const) {
    if (!args.includes('--memory-only') && (args.includes('--regen') || !existsSync(p))) makeCapture(p, mb * 1024 * 1024, mean);
  }
  const runs = Math.max(1, Number(args[args.indexOf('--runs') + 1]) || 3);
  const self = __filename;
  const node = process.execPath;
  // The bin itself, so its launcher (shebang) flags apply as they do for a user.
  const bin = join(__dirname, '..', 'bin', 'handshake-inspector.js');
  const lines: string[] = [`fastest of ${runs} runs each, on ${availableParallelism()} CPU(s)`];
  // --memory-only: just the issue #16 measurements below.
  if (!args.includes('--memory-only')) {
    // Warm the page cache so every contender reads from memory, as the reference numbers assume.
    plainRead(big);
    const plain = timeChild([node, self, '--child', 'plain', big], join(dir, 'plain.out'), runs);
    const hashed = timeChild([node, self, '--child', 'hash', big], join(dir, 'hash.out'), runs);
    const ours = timeChild([bin, 'analyze', big], join(dir, 'ours.txt'), runs);
    const oursSmall = timeChild([bin, 'analyze', small], join(dir, 'ours-small.txt'), runs);
    const totals = totalsOf(ours.out);
    // The floor must be the same work: the digest the CLI printed.
    const floorDigest = (JSON.parse(hashed.out) as { sha256: string }).sha256;
    if (!ours.out.includes(`sha256 ${floorDigest}`)) throw new Error(`the CLI's sha256 is not ${floorDigest}, the reference reader's`);
    const handshakes = (ours.out.match(/^ {4}C:ClientHello S:(ServerHello|HelloRetryRequest)/gm) ?? []).length;
    const mb = statSync(big).size / 1e6;
    lines.push(
      `capture: ${big} (${mb.toFixed(0)} MB, ${totals.packets} packets, ${totals.connections} TLS connections, ${handshakes} with a ServerHello)`,
        `plain read (bare Node loop over records): ${plain.seconds.toFixed(2)} s`,
      `read + SHA-256 of the file (input.sha256): ${hashed.seconds.toFixed(2)} s, the least any run of ours can take`,
      `handshake-inspector analyze:              ${ours.seconds.toFixed(2)} s  (${(mb / ours.seconds).toFixed(0)} MB/s), peak RSS ${ours.maxRssMB.toFixed(0)} MB`,
      `  same at 1/4 size:                       ${oursSmall.seconds.toFixed(2)} s, peak RSS ${oursSmall.maxRssMB.toFixed(0)} MB (memory flat in file size: ratio ${(ours.maxRssMB / oursSmall.maxRssMB).toFixed(2)})`,
      `ratio ours / plain read:                  ${(ours.seconds / plain.seconds).toFixed(1)}×`,
    );
    if (!args.includes('--no-tshark')) {
      const ts = tshark(big, join(dir, 'tshark.txt'), Math.min(runs, 2));
      const tsLines = ts.out.split('\n').filter(Boolean).length;
      lines.push(`tshark -Y tls.handshake -T fields:        ${ts.seconds.toFixed(2)} s, peak RSS ${ts.maxRssMB.toFixed(0)} MB (${tsLines} handshake packets)`);
      lines.push(`speed-up over tshark:                     ${(ts.seconds / ours.seconds).toFixed(1)}×  (reading and hashing alone: ${(ts.seconds / hashed.seconds).toFixed(1)}×)`);
      // The same comparison where connections are short and many.
      plainRead(short);
      const oursShort = timeChild([bin, 'analyze', short], join(dir, 'ours-short.txt'), runs);
      const tsShort = tshark(short, join(dir, 'tshark-short.txt'), Math.min(runs, 2));
      const shortTotals = totalsOf(oursShort.out);
      lines.push(`short connections: ${short} (${(statSync(short).size / 1e6).toFixed(0)} MB, ${shortTotals.connections} TLS connections, mean ${SHORT_MEAN_BULK / 1000} kB of data each)`);
      lines.push(`  handshake-inspector ${oursShort.seconds.toFixed(2)} s, peak RSS ${oursShort.maxRssMB.toFixed(0)} MB; tshark ${tsShort.seconds.toFixed(2)} s; speed-up ${(tsShort.seconds / oursShort.seconds).toFixed(1)}×`);
    }
  }
  // Issue #16, measured with --no-tshark too: memory on ordinary traffic
  // (many short connections, ~100k per GB, each closed with FINs) at 50 MB
  // and at the full size (≤ 200 MB, flat: ratio ≤ 1.2), and compare against
  // analysing both sides (≤ 3×, within the 512 MiB budget): two 200 MB
  // captures, and a small client capture against a large relay capture. The
  // generator is deterministic, so the 5 MB capture's connections are the
  // 200 MB one's first connections, byte for byte: every one of them pairs.
  const many = (mb: number) => join(dir, `tls-many-${mb}MB.pcap`);
  for (const mb of [5, 50, 200, sizeMB]) {
    if (args.includes('--regen') || !existsSync(many(mb))) makeCapture(many(mb), mb * 1024 * 1024, MANY_MEAN_BULK);
  }
  const conns = (out: string) => totalsOf(out).connections;
  const m5 = timeChild([bin, 'analyze', many(5)], join(dir, 'ours-many5.txt'), runs);
  const m50 = timeChild([bin, 'analyze', many(50)], join(dir, 'ours-many50.txt'), runs);
  const m200 = timeChild([bin, 'analyze', many(200)], join(dir, 'ours-many200.txt'), runs);
  const mFull = timeChild([bin, 'analyze', many(sizeMB)], join(dir, 'ours-many-full.txt'), runs);
  const perGB = Math.round(conns(mFull.out) / (statSync(many(sizeMB)).size / 1e9));
  lines.push(`many short connections (${perGB} per GB, mean ${MANY_MEAN_BULK / 1000} kB of data each), analyze peak RSS: ${m50.maxRssMB.toFixed(0)} MB at 50 MB (${conns(m50.out)} TLS connections), ${mFull.maxRssMB.toFixed(0)} MB at ${sizeMB} MB (${conns(mFull.out)}; ${mFull.seconds.toFixed(2)} s); ratio ${(mFull.maxRssMB / m50.maxRssMB).toFixed(2)} (targets: ≤ 200 MB, ratio ≤ 1.2)`);
  // compare against analysing both captures the same way: its text summary against analyze's, and compare --json
  // (both analyses' connections, every pair's packets: 880 MB on two 200 MB captures) against analyze --json.
  const j200 = timeChild([bin, 'analyze', many(200), '--json'], join(dir, 'ours-many200.json'), runs);
  const j5 = timeChild([bin, 'analyze', many(5), '--json'], join(dir, 'ours-many5.json'), runs);
  const cmpLine = (what: string, text: ReturnType<typeof timeChild>, json: ReturnType<typeof timeChild>, a: { text: number; json: number }) =>
    `${what}: text ${text.seconds.toFixed(2)} s (analysing both: ${a.text.toFixed(2)} s, ratio ${(text.seconds / a.text).toFixed(1)}), peak RSS ${text.maxRssMB.toFixed(0)} MB; `
    + `--json ${json.seconds.toFixed(2)} s (analyze --json of both: ${a.json.toFixed(2)} s, ratio ${(json.seconds / a.json).toFixed(1)}), peak RSS ${json.maxRssMB.toFixed(0)} MB (targets: ≤ 3, ≤ 512 MB)`;
  const cmp200 = timeChild([bin, 'compare', many(200), many(200)], join(dir, 'compare-many200.txt'), runs);
  const cmp200j = timeChild([bin, 'compare', many(200), many(200), '--json'], join(dir, 'compare-many200.json'), runs);
  lines.push(cmpLine(`compare of two 200 MB captures (the same ${conns(m200.out)} connections on both sides)`, cmp200, cmp200j, { text: 2 * m200.seconds, json: 2 * j200.seconds }));
  const cmpSmall = timeChild([bin, 'compare', many(5), many(200)], join(dir, 'compare-many5-200.txt'), runs);
  const cmpSmallj = timeChild([bin, 'compare', many(5), many(200), '--json'], join(dir, 'compare-many5-200.json'), runs);
  // Every pair, and nothing else in the document, says how it was matched.
  const paired = countInFile(join(dir, 'compare-many5-200.json'), '"matchedBy":');
  lines.push(cmpLine(`compare of a 5 MB client capture (${conns(m5.out)} connections, ${paired} paired) against the 200 MB relay capture`, cmpSmall, cmpSmallj,
    { text: m5.seconds + m200.seconds, json: j5.seconds + j200.seconds }));
  lines.push(...quic());
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
