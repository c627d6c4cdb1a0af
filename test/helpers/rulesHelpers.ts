// Shared helpers for the suspect-rule tests (no tests in here).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConnectionReport, SourceLocation } from '../../shared/analysis';
import type { Suspect } from '../../shared/compare';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { describeRules, type UserRule } from '../../server/src/rules';
import { suspectWhy } from '../../shared/suspects';
export { ROOT } from './paths';
import { ROOT } from './paths';

export const RULES_FIXTURES = path.join(ROOT, 'test/fixtures/rules');

/** Real captures: see test/fixtures/rules/make.sh and test/fixtures/tor-kz/README.md. */
export const CAPTURES = {
  /** Real Tor 0.4.9.11 bridge, TLS 1.2, seen at the relay; the censor dropped its ServerHello. */
  torRelay: path.join(ROOT, 'test/fixtures/tor-kz/relay.pcap'),
  /** The same connection seen at the client: no server message ever arrived. */
  torClient: path.join(ROOT, 'test/fixtures/tor-kz/client.pcap'),
  /** OpenSSL server choosing 0x0039, RFC 3526 group 14, ordinary 1-year certificate. */
  dheAes256: path.join(RULES_FIXTURES, 'dhe-aes256.pcap'),
  /** OpenSSL server choosing 0x0033 with the Oakley group 2 prime and a Tor-2011-shaped certificate chain. */
  tor2011: path.join(RULES_FIXTURES, 'tor2011-oakley2.pcap'),
  /** TLS 1.2 connection in which the client renegotiates. */
  renegotiation: path.join(RULES_FIXTURES, 'renegotiation.pcap'),
} as const;

const cache = new Map<string, Promise<ConnectionReport>>();

/** The one TLS connection of a capture (the fixtures each hold exactly one). */
export function connectionOf(file: string): Promise<ConnectionReport> {
  let p = cache.get(file);
  if (!p) {
    p = analyzeFile(file).then((r) => {
      assert.equal(r.connections.length, 1, `${path.basename(file)}: expected one TLS connection`);
      return r.connections[0];
    });
    cache.set(file, p);
  }
  return p;
}

/** A deep copy to modify without touching the cached report. */
export function cloneReport(c: ConnectionReport): ConnectionReport {
  return structuredClone(c);
}

/** The capture's bytes a range covers (offset ranges only, pieces joined). */
export function bytesAt(file: string, range: SourceLocation[]): Buffer {
  const data = fs.readFileSync(file);
  return Buffer.concat(range.map((r) => {
    assert.equal(r.kind, 'offset', 'binary captures use offset ranges');
    if (r.kind !== 'offset') return Buffer.alloc(0);
    assert.ok(r.offset >= 0 && r.offset + r.length <= data.length, `range ${r.offset}+${r.length} lies outside the ${data.length}-byte file`);
    return data.subarray(r.offset, r.offset + r.length);
  }));
}

/** Every suspect points at bytes that exist in the capture. */
export function assertRangesInCapture(file: string, suspects: Suspect[]): void {
  const size = fs.statSync(file).size;
  for (const s of suspects) {
    assert.ok(s.range.length > 0, `${s.rule} ${s.field}: empty range`);
    for (const r of s.range) {
      assert.equal(r.kind, 'offset');
      if (r.kind === 'offset') {
        assert.ok(r.length > 0, `${s.rule} ${s.field}: zero-length range`);
        assert.ok(r.offset >= 0 && r.offset + r.length <= size, `${s.rule} ${s.field}: range ${r.offset}+${r.length} outside the ${size}-byte file`);
      }
    }
  }
}

export function find(suspects: Suspect[], rule: string, field?: string): Suspect | undefined {
  return suspects.find((s) => s.rule === rule && (field === undefined || s.field === field));
}

/** The source the document's `rules` gives for a suspect's rule (catalogue, divergence or one of `userRules`). */
export function ruleRef(s: Suspect, userRules: readonly UserRule[] = []): string {
  return describeRules([s.rule], userRules)[s.rule]?.reference ?? '';
}

/** A suspect's whole explanation as every surface shows it: its reason, then the rule's general text. */
export function why(s: Suspect, userRules: readonly UserRule[] = []): string {
  return suspectWhy(describeRules([s.rule], userRules), s);
}
