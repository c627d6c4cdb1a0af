import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyzeBytes } from '../../server/src/analysis/analyzeCapture';

// DTLS bytes are attacker-controlled: real captures with bytes of their UDP payloads (records, fragment headers,
// lengths, STUN attributes) overwritten must give a report, never an exception, with problems located in the file.
const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'dtls');
const NAMES = ['openssl-dtls12.pcap', 'pion-dtls12.pcap', 'webrtc-pion.pcap', 'dtls13-crafted.pcap'];

/** File offsets of UDP payload bytes (pcap, Ethernet, IPv4 without options). */
function payloadOffsets(file: Buffer): number[] {
  const out: number[] = [];
  for (let off = 24; off + 16 <= file.length;) {
    const len = file.readUInt32LE(off + 8);
    for (let i = off + 16 + 14 + 20 + 8; i < off + 16 + len; i++) out.push(i);
    off += 16 + len;
  }
  return out;
}

describe('DTLS decoding of damaged real captures', () => {
  for (const name of NAMES) {
    it(`${name}: random overwrites of payload bytes never throw, and every problem points inside the file`, () => {
      const file = readFileSync(join(FIXTURES, name));
      const offsets = payloadOffsets(file);
      fc.assert(fc.property(fc.array(fc.tuple(fc.nat(offsets.length - 1), fc.nat(255)), { minLength: 1, maxLength: 12 }), (edits) => {
        const bytes = Buffer.from(file);
        for (const [i, v] of edits) bytes[offsets[i]] = v;
        const r = analyzeBytes(bytes, name, { packets: true });
        for (const c of r.connections) {
          assert.ok(c.diagnostics.length <= 64 + 16, `${c.diagnostics.length} diagnostics`);
          for (const d of c.diagnostics) {
            if (d.location?.kind === 'offset') assert.ok(d.location.offset >= 0 && d.location.offset + d.location.length <= bytes.length, d.message);
          }
          for (const m of c.messages) for (const loc of m.range) if (loc.kind === 'offset') assert.ok(loc.offset + loc.length <= bytes.length);
        }
      }), { numRuns: 50 });
    });
  }
  it('a fragment header claiming a 16 MiB message is listed without 16 MiB being held', () => {
    const file = Buffer.from(readFileSync(join(FIXTURES, 'pion-dtls12.pcap')));
    // The first ClientHello's handshake length (3 bytes after the type, 13 bytes into the payload) set to 0xffffff.
    const at = 24 + 16 + 14 + 20 + 8 + 13 + 1;
    file[at] = 0xff; file[at + 1] = 0xff; file[at + 2] = 0xff;
    const r = analyzeBytes(file, 'huge.pcap');
    const c = r.connections[0];
    assert.ok(c.diagnostics.some((d) => /runs past the message length|not reassembled/.test(d.message)), JSON.stringify(c.diagnostics));
  });
});
