import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { createLinkInfo, locateNetworkLayer, type LinkInfo } from '../../server/src/capture/linkLayer';
import { formatIPv6 } from '../../server/src/capture/pcapng';
import { PcapParser } from '../../server/src/capture/pcap';
import { PcapngParser } from '../../server/src/capture/pcapng';
import type { CaptureParser, CaptureSink } from '../../server/src/capture/packet';
import {
  CAPTURE_DIR, PCAPNG_FIXTURES, PCAP_FIXTURES, parseWith, readFixture, readTsv,
} from '../helpers/captureFixtures';

function locate(linkType: number, data: Uint8Array, out: LinkInfo = createLinkInfo()): LinkInfo & { ok: boolean } {
  const ok = locateNetworkLayer(linkType, data, out);
  return { ...out, ok };
}

const be16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
const bytes = (...parts: Array<number[] | Uint8Array>) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

/** The IP packets of the raw-IP fixture: real IPv4 and IPv6 headers to wrap in other link layers. */
const rawIp = parseWith((s) => new PcapParser(s), readFixture(CAPTURE_DIR, 'tls-rawip.pcap')).packets.map((p) => p.data);
const ipv4 = rawIp.find((d) => d[0] >> 4 === 4)!;
const ipv6 = rawIp.find((d) => d[0] >> 4 === 6)!;
const MAC = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];

describe('locateNetworkLayer on real captures', () => {
  const all: Array<[string, (s: CaptureSink) => CaptureParser]> = [
    ...PCAP_FIXTURES.map((f): [string, (s: CaptureSink) => CaptureParser] => [f, (s) => new PcapParser(s)]),
    ...PCAPNG_FIXTURES.map((f): [string, (s: CaptureSink) => CaptureParser] => [f, (s) => new PcapngParser(s)]),
  ];
  for (const [name, make] of all) {
    it(`${name}: every packet's IP addresses and TCP ports agree with tshark`, () => {
      const frames = readTsv(path.join(CAPTURE_DIR, `${name}.tshark-frames.tsv`));
      const out = parseWith(make, readFixture(CAPTURE_DIR, name));
      assert.equal(out.packets.length, frames.length);
      const info = createLinkInfo();
      let v4 = 0, v6 = 0;
      out.packets.forEach((p, i) => {
        const f = frames[i];
        assert.ok(locateNetworkLayer(p.linkType, p.data, info), `frame ${i + 1}: ${info.note}`);
        const d = p.data;
        const o = info.offset;
        let l4: number;
        if (info.etherType === 0x0800) {
          v4++;
          assert.equal(d[o] >> 4, 4);
          assert.equal(`${d[o + 12]}.${d[o + 13]}.${d[o + 14]}.${d[o + 15]}`, f['ip.src']);
          assert.equal(`${d[o + 16]}.${d[o + 17]}.${d[o + 18]}.${d[o + 19]}`, f['ip.dst']);
          l4 = o + (d[o] & 0x0f) * 4;
        } else {
          v6++;
          assert.equal(info.etherType, 0x86dd);
          assert.equal(d[o] >> 4, 6);
          assert.equal(formatIPv6(d, o + 8), f['ipv6.src']);
          assert.equal(formatIPv6(d, o + 24), f['ipv6.dst']);
          l4 = o + 40;
        }
        assert.equal((d[l4] << 8) | d[l4 + 1], Number(f['tcp.srcport']));
        assert.equal((d[l4 + 2] << 8) | d[l4 + 3], Number(f['tcp.dstport']));
      });
      // The fixtures hold one handshake over each IP version.
      assert.ok(v4 > 0 && v6 > 0, `${v4} IPv4, ${v6} IPv6`);
    });
  }
});

describe('locateNetworkLayer link types', () => {
  it('Ethernet with any number of 802.1Q / 802.1ad / QinQ tags', () => {
    const tpids = [0x8100, 0x88a8, 0x9100];
    for (let n = 0; n <= 4; n++) {
      const tags: number[] = [];
      for (let i = 0; i < n; i++) tags.push(...be16(tpids[i % 3]), ...be16(100 + i));
      // Tags sit between the MACs and the final ethertype; each tag's TPID is the previous "ethertype".
      const frameBytes = bytes(MAC, tags, be16(0x86dd), ipv6);
      const r = locate(1, frameBytes);
      assert.ok(r.ok, r.note ?? '');
      assert.equal(r.offset, 14 + 4 * n);
      assert.equal(r.vlanTags, n);
      assert.equal(r.etherType, 0x86dd);
    }
  });

  it('Ethernet LLC/SNAP and PPPoE session frames carrying IP', () => {
    const snap = locate(1, bytes(MAC, be16(8 + ipv4.length), [0xaa, 0xaa, 0x03, 0, 0, 0], be16(0x0800), ipv4));
    assert.ok(snap.ok);
    assert.equal(snap.offset, 22);
    const pppoe = locate(1, bytes(MAC, be16(0x8864), [0x11, 0, 0, 1], be16(ipv4.length + 2), be16(0x0021), ipv4));
    assert.ok(pppoe.ok);
    assert.equal(pppoe.offset, 22);
    assert.equal(pppoe.etherType, 0x0800);
  });

  it('non-IP Ethernet payloads return false with a note', () => {
    const arp = locate(1, bytes(MAC, be16(0x0806), new Array(28).fill(0)));
    assert.equal(arp.ok, false);
    assert.equal(arp.etherType, 0x0806);
    assert.match(arp.note!, /ARP/);
    const llc = locate(1, bytes(MAC, be16(38), [0x42, 0x42, 0x03], new Array(35).fill(0))); // spanning tree
    assert.equal(llc.ok, false);
    assert.match(llc.note!, /LLC/);
    const vlanArp = locate(1, bytes(MAC, be16(0x8100), be16(5), be16(0x0806), new Array(28).fill(0)));
    assert.equal(vlanArp.ok, false);
    assert.equal(vlanArp.vlanTags, 1);
  });

  it('Linux cooked captures v1 and v2', () => {
    const sll = bytes(be16(0), be16(772), be16(6), new Array(8).fill(0), be16(0x0800), ipv4);
    assert.deepEqual(locate(113, sll), { offset: 16, etherType: 0x0800, vlanTags: 0, note: null, ok: true });
    const sll2 = bytes(be16(0x86dd), be16(0), [0, 0, 0, 1], be16(1), [4, 6], new Array(8).fill(0), ipv6);
    assert.deepEqual(locate(276, sll2), { offset: 20, etherType: 0x86dd, vlanTags: 0, note: null, ok: true });
    const sllArp = bytes(be16(0), be16(1), be16(6), new Array(8).fill(0), be16(0x0806), new Array(28).fill(0));
    const r = locate(113, sllArp);
    assert.equal(r.ok, false);
    assert.match(r.note!, /ARP/);
    const netlink = bytes(be16(0), be16(824), be16(0), new Array(8).fill(0), be16(0), new Array(20).fill(0));
    assert.equal(locate(113, netlink).ok, false);
  });

  it('raw IP: version nibble decides for 101, 12 and 14; 228 and 229 are fixed', () => {
    for (const lt of [101, 12, 14]) {
      assert.deepEqual(locate(lt, ipv4), { offset: 0, etherType: 0x0800, vlanTags: 0, note: null, ok: true });
      assert.deepEqual(locate(lt, ipv6), { offset: 0, etherType: 0x86dd, vlanTags: 0, note: null, ok: true });
      const bad = locate(lt, Uint8Array.from([0x50, 0, 0, 0]));
      assert.equal(bad.ok, false);
      assert.match(bad.note!, /version nibble 5/);
    }
    assert.equal(locate(228, ipv4).etherType, 0x0800);
    assert.equal(locate(229, ipv6).etherType, 0x86dd);
  });

  it('BSD null loopback in either byte order, every AF_INET6 value; LOOP is big-endian', () => {
    for (const [family, etherType] of [[2, 0x0800], [10, 0x86dd], [24, 0x86dd], [28, 0x86dd], [30, 0x86dd]]) {
      const payload = etherType === 0x0800 ? ipv4 : ipv6;
      for (const header of [[family, 0, 0, 0], [0, 0, 0, family]]) {
        const r = locate(0, bytes(header, payload));
        assert.ok(r.ok, `family ${family} ${header}`);
        assert.equal(r.offset, 4);
        assert.equal(r.etherType, etherType);
      }
      assert.equal(locate(108, bytes([0, 0, 0, family], payload)).etherType, etherType);
    }
    assert.equal(locate(0, bytes([7, 0, 0, 0], ipv4)).ok, false);
    // LOOP is always big-endian: a little-endian family is garbage there.
    assert.equal(locate(108, bytes([2, 0, 0, 0], ipv4)).ok, false);
  });

  it('truncated headers and unknown link types return false with a note', () => {
    assert.equal(locate(1, new Uint8Array(10)).ok, false);
    assert.equal(locate(1, bytes(MAC, be16(0x8100), [0])).ok, false);
    assert.equal(locate(1, bytes(MAC, be16(0x0800))).ok, false, 'no IP bytes at all');
    assert.equal(locate(113, new Uint8Array(15)).ok, false);
    assert.equal(locate(276, new Uint8Array(19)).ok, false);
    assert.equal(locate(0, new Uint8Array(3)).ok, false);
    assert.equal(locate(101, new Uint8Array(0)).ok, false);
    const unknown = locate(147, ipv4);
    assert.equal(unknown.ok, false);
    assert.equal(unknown.note, 'unsupported link type 147');
  });

  it('fills the caller-provided object and reuses its notes', () => {
    const info = createLinkInfo();
    const arp = bytes(MAC, be16(0x0806), new Array(28).fill(0));
    assert.equal(locateNetworkLayer(1, arp, info), false);
    const first = info.note;
    assert.ok(locateNetworkLayer(1, bytes(MAC, be16(0x0800), ipv4), info));
    assert.equal(info.note, null, 'a success clears the previous note');
    locateNetworkLayer(1, arp, info);
    assert.equal(info.note, first);
  });
});
