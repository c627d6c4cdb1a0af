/**
 * ARP frames in a tcpdump -X dump (printed from the ARP header, where an IP
 * header would be) are named as ARP, not as a raw IP packet with version
 * nibble 0 or an Ethernet frame with a made-up ethertype (issue #15). The
 * dump is tcpdump's own output of a public trace (test/fixtures/text/make.sh);
 * tcpdump's header lines are the reference for which packet is which.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { ROOT } from '../helpers/paths';

const DUMP = join(ROOT, 'test', 'fixtures', 'text', 'arp.X.txt');

describe('ARP in a tcpdump -X dump', () => {
  it('names every ARP frame as ARP and decodes the TCP packets around them', async () => {
    const headers = readFileSync(DUMP, 'utf8').split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d+ /.test(l));
    const arp = headers.filter((l) => / ARP, /.test(l)).length;
    const tcp = headers.filter((l) => / IP .* Flags \[/.test(l)).length;
    assert.ok(arp > 0 && tcp > 0, 'the dump mixes ARP and TCP');
    // ARP after TCP too: the previous packet's link type (raw IP) must not decide.
    assert.ok(headers.findIndex((l) => / IP /.test(l)) < headers.map((l) => / ARP, /.test(l)).lastIndexOf(true));
    const r = await analyzeFile(DUMP, {});
    assert.equal(r.input.packets, headers.length);
    assert.equal(r.input.tcpPackets, tcp);
    assert.deepEqual(r.input.skipped, { 'ARP frame, not IP': arp });
  });
});
