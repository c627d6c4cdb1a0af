// A relay capture that stopped before the client's connection started (issue #12): lab/dtls/censor.sh's relay
// capture cut after the packets that precede the client's first ClientHello. Written to a temporary directory
// (the caller removes it), so compare finds a client connection the relay's capture does not cover.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './paths';

export const CENSOR_TSPU = join(ROOT, 'test', 'fixtures', 'dtls', 'censor-tspu');

/** Timestamps of a little-endian microsecond pcap's records, read from the record headers (the reference). */
export function pcapRecords(bytes: Buffer): Array<{ time: number; end: number }> {
  assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4, 'a little-endian microsecond pcap');
  const out: Array<{ time: number; end: number }> = [];
  for (let at = 24; at + 16 <= bytes.length;) {
    const end = at + 16 + bytes.readUInt32LE(at + 8);
    out.push({ time: bytes.readUInt32LE(at) + bytes.readUInt32LE(at + 4) / 1e6, end });
    at = end;
  }
  return out;
}

/** censor-tspu's relay.pcap holding only the records before `start` (seconds); `remove` deletes it. */
export function relayCutBefore(start: number): { path: string; remove: () => void } {
  const relayBytes = readFileSync(join(CENSOR_TSPU, 'relay.pcap'));
  const records = pcapRecords(relayBytes);
  const keep = records.filter((x) => x.time < start);
  assert.ok(keep.length > 0 && keep.length < records.length, 'the relay capture has packets before and after the cut');
  const dir = mkdtempSync(join(tmpdir(), 'hi-coverage-'));
  const path = join(dir, 'relay-early.pcap');
  writeFileSync(path, relayBytes.subarray(0, keep[keep.length - 1].end));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
