// tcpdump -nn summary lines (no hex): every field is checked against the TCP
// header bytes of the pcap the summary was printed from.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import type { SummaryTcp } from '../../server/src/capture/packet';
import { detectTextDialect } from '../../server/src/capture/text';
import { parseTcpSummary, RelativeSeqTracker, splitEndpoint } from '../../server/src/capture/text/tcpdumpSummary';
import { editorLines, parse, readPcap, readText, TEXT_DIR, utcStamp, type PcapRecord } from '../helpers/textDumpHelpers';

interface Tcp {
  v6: boolean;
  ipLength: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  payload: number;
}

/** IP and TCP header fields of an Ethernet frame. */
function tcpOf(r: PcapRecord): Tcp {
  const d = r.data;
  const v6 = ((d[12] << 8) | d[13]) === 0x86dd;
  const ip = 14;
  const ipHeader = v6 ? 40 : (d[ip] & 15) * 4;
  const ipLength = v6 ? 40 + ((d[ip + 4] << 8) | d[ip + 5]) : (d[ip + 2] << 8) | d[ip + 3];
  const t = ip + ipHeader;
  const u16 = (o: number) => (d[o] << 8) | d[o + 1];
  const u32 = (o: number) => ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
  const tcpHeader = (d[t + 12] >> 4) * 4;
  return {
    v6, ipLength,
    srcPort: u16(t), dstPort: u16(t + 2), seq: u32(t + 4), ack: u32(t + 8),
    flags: d[t + 13], window: u16(t + 14), payload: ipLength - ipHeader - tcpHeader,
  };
}

const FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16, URG = 32, ECE = 64, CWR = 128;
/** tcpdump's flag letters, in its order. */
function letters(f: number): string {
  const order: Array<[number, string]> = [[FIN, 'F'], [SYN, 'S'], [RST, 'R'], [PSH, 'P'], [ACK, '.'], [URG, 'U'], [ECE, 'E'], [CWR, 'W']];
  return order.filter(([b]) => f & b).map(([, l]) => l).join('');
}

/**
 * What tcpdump prints, following print-tcp.c: seq when there is payload or
 * SYN/FIN/RST, ack with ACK; without -S, a connection's first ACK-bearing
 * packet stores its numbers and later ACK-bearing packets print relative to them.
 */
function expectedSummaries(records: PcapRecord[], addr: (port: number) => string, absolute: boolean): SummaryTcp[] {
  const bases = new Map<string, { src: number; seq: number; ack: number }>();
  return records.map((r) => {
    const t = tcpOf(r);
    let seq = t.seq;
    let ack = t.ack;
    let relative = false;
    if (!absolute && t.flags & ACK) {
      const key = [t.srcPort, t.dstPort].sort().join('-');
      const b = bases.get(key);
      if (!b) {
        bases.set(key, { src: t.srcPort, seq: t.seq, ack: t.ack - 1 });
      } else {
        relative = true;
        const same = b.src === t.srcPort;
        seq = (seq - (same ? b.seq : b.ack)) >>> 0;
        ack = (ack - (same ? b.ack : b.seq)) >>> 0;
      }
    }
    const showSeq = t.payload > 0 || (t.flags & (SYN | FIN | RST)) !== 0;
    return {
      src: addr(t.srcPort), srcPort: t.srcPort, dst: addr(t.dstPort), dstPort: t.dstPort,
      flags: letters(t.flags),
      seq: showSeq ? seq : null,
      seqEnd: showSeq ? (seq + t.payload) >>> 0 : null,
      ack: t.flags & ACK ? ack : null,
      window: t.window,
      length: t.payload,
      relativeSeq: relative,
    };
  });
}

const CASES: Array<{
  file: string; pcap: string; absolute: boolean; verbose: boolean; time: 'tod' | 'tttt';
  addr: (port: number) => string;
}> = [
  { file: 'hs.summary.txt', pcap: 'hs.pcap', absolute: false, verbose: false, time: 'tod', addr: () => '127.0.0.1' },
  { file: 'hs.summary-S.txt', pcap: 'hs.pcap', absolute: true, verbose: false, time: 'tttt', addr: () => '127.0.0.1' },
  { file: 'hs.summary-v.txt', pcap: 'hs.pcap', absolute: false, verbose: true, time: 'tod', addr: () => '127.0.0.1' },
  { file: 'v6.summary.txt', pcap: 'v6.pcap', absolute: false, verbose: false, time: 'tttt', addr: () => '::1' },
  { file: 'v6.summary.anon.txt', pcap: 'v6.pcap', absolute: false, verbose: false, time: 'tttt', addr: (p) => (p === 443 ? '[relay]' : 'client') },
];

describe('tcpdump -nn summary dumps match the TCP headers in their pcap', () => {
  for (const c of CASES) {
    it(c.file, () => {
      const text = readText(TEXT_DIR, c.file);
      assert.equal(detectTextDialect(text), 'tcpdump-summary');
      const parsed = parse(text);
      assert.equal(parsed.format, 'tcpdump-summary');
      assert.deepEqual(parsed.diagnostics, []);
      const { records } = readPcap(path.join(TEXT_DIR, c.pcap));
      const want = expectedSummaries(records, c.addr, c.absolute);
      const lines = editorLines(text);
      assert.equal(parsed.packets.length, records.length);
      parsed.packets.forEach((p, i) => {
        const r = records[i];
        assert.deepEqual(p.summary, want[i], `packet ${i}`);
        assert.equal(p.data.length, 0);
        assert.equal(p.linkType, 101);
        assert.equal(p.headerLine, c.verbose ? 2 * i : i);
        assert.equal(p.origLength, c.verbose ? tcpOf(r).ipLength : 0);
        const t = c.time === 'tod' ? (r.sec % 86400) + r.usec / 1e6 : r.time;
        assert.ok(Math.abs(p.timestamp - t) < 1e-6, `packet ${i}: timestamp ${p.timestamp} vs ${t}`);
        if (c.time === 'tttt') assert.ok(lines[p.headerLine!].startsWith(utcStamp(r)));
      });
    });
  }
});

describe('tcpdump summary line parser', () => {
  it('takes the port after the last dot, whatever the address looks like', () => {
    assert.deepEqual(splitEndpoint('XXX.XXX.XXX.XXX.443'), ['XXX.XXX.XXX.XXX', 443]);
    assert.deepEqual(splitEndpoint('[relay].443'), ['[relay]', 443]);
    assert.deepEqual(splitEndpoint('client.51234'), ['client', 51234]);
    assert.deepEqual(splitEndpoint('2001:db8::1.443'), ['2001:db8::1', 443]);
    assert.deepEqual(splitEndpoint('host.example.https'), ['host.example', 443]);
    assert.deepEqual(splitEndpoint('relay'), ['relay', -1]);
  });

  it('reads -e lines, whose link fields come first', () => {
    const s =
      '06:07:54.663734 00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype IPv4 (0x0800), length 74: ' +
      '10.0.0.1.51234 > 10.0.0.2.443: Flags [S], seq 1234567, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0';
    const t = parseTcpSummary(s) as SummaryTcp;
    assert.equal(t.src, '10.0.0.1');
    assert.equal(t.dst, '10.0.0.2');
    assert.equal(t.seq, 1234567);
    assert.equal(t.window, 64240);
  });

  it('reads the example lines of the brief', () => {
    const t = parseTcpSummary(
      '12:00:01.123456 IP 10.0.0.1.51234 > 10.0.0.2.443: Flags [P.], seq 1:518, ack 1, win 502, options [nop,nop,TS val 1 ecr 2], length 517',
    ) as SummaryTcp;
    assert.deepEqual({ ...t }, {
      src: '10.0.0.1', srcPort: 51234, dst: '10.0.0.2', dstPort: 443, flags: 'P.',
      seq: 1, seqEnd: 518, ack: 1, window: 502, length: 517, relativeSeq: false,
    });
    assert.equal(parseTcpSummary('12:00:01.123456 IP 10.0.0.1.53 > 10.0.0.2.53: 1234+ A? example.com. (29)'), null);
    assert.equal(typeof parseTcpSummary('12:00:01.123456 IP somewhere: Flags [S], seq 1, length 0'), 'string');
  });

  it('decides relative numbering from the first later packet, and keeps the decision', () => {
    const line = (src: string, dst: string, rest: string) =>
      parseTcpSummary(`IP ${src} > ${dst}: Flags ${rest}`) as SummaryTcp;
    const relative = new RelativeSeqTracker();
    assert.equal(relative.classify(line('a.1', 'b.2', '[S], seq 3000000000, win 1, length 0')), false);
    assert.equal(relative.classify(line('b.2', 'a.1', '[S.], seq 2000000000, ack 3000000001, win 1, length 0')), false);
    assert.equal(relative.classify(line('a.1', 'b.2', '[.], ack 1, win 1, length 0')), true);
    const absolute = new RelativeSeqTracker();
    absolute.classify(line('a.1', 'b.2', '[S], seq 3000000000, win 1, length 0'));
    absolute.classify(line('b.2', 'a.1', '[S.], seq 2000000000, ack 3000000001, win 1, length 0'));
    assert.equal(absolute.classify(line('a.1', 'b.2', '[P.], seq 3000000001:3000000518, ack 2000000001, win 1, length 517')), false);
    assert.equal(absolute.classify(line('b.2', 'a.1', '[.], ack 3000000518, win 1, length 0')), false);
  });
});
