// The one reader of capture bytes after analysis (capture/sourceBytes.ts),
// on real captures: a handshake message read at the offsets the analysis
// gives, from the pcap, from a gzip'd copy (made by gzip(1)) and from the
// tcpdump -X text of the same packets, must be the same bytes; and the
// language server's TLS-only view taken from an analysis of every connection
// must be what a TLS-only run gives, on every fixture.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { MessageReport, SourceLocation } from '../../shared/analysis';
import { analyzeFile, isTlsView } from '../../server/src/analysis/analyzeCapture';
import { SourceBytes } from '../../server/src/capture/sourceBytes';
import { ROOT } from '../helpers/paths';

const TORKZ = join(ROOT, 'test', 'fixtures', 'tor-kz');
const dir = mkdtempSync(join(tmpdir(), 'hi-bytes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function serverHello(path: string): Promise<MessageReport> {
  const r = await analyzeFile(path, { packets: false });
  const m = r.connections.flatMap((c) => c.messages).find((x) => x.type === 2);
  assert.ok(m, `${path} has a ServerHello`);
  return m;
}

function readOnce(origin: ConstructorParameters<typeof SourceBytes>[0], locs: SourceLocation[], limit = 65536, inflate = false) {
  const s = new SourceBytes(origin, { inflate });
  try {
    return s.read(locs, limit);
  } finally {
    s.close();
  }
}

describe('capture bytes at analysed locations', () => {
  it('reads a ServerHello from the pcap at its offsets: type 2, its length, the file\'s own bytes', async () => {
    const path = join(TORKZ, 'relay.pcap');
    const m = await serverHello(path);
    const got = readOnce({ path }, m.range);
    assert.ok(got);
    assert.equal(got.truncated, false);
    assert.equal(got.positions, null);
    assert.equal(got.bytes.length, m.span[1] - m.span[0]);
    assert.equal(got.bytes[0], 2);
    assert.equal((got.bytes[1] << 16) | (got.bytes[2] << 8) | got.bytes[3], got.bytes.length - 4);
    // An independent reading: the whole file, sliced at the same offsets.
    const file = readFileSync(path);
    const expected = Buffer.concat(m.range.map((r) => (r.kind === 'offset' ? file.subarray(r.offset, r.offset + r.length) : Buffer.alloc(0))));
    assert.deepEqual(Buffer.from(got.bytes), expected);
    // The same from bytes held in memory (a capture the editor sent).
    assert.deepEqual(readOnce({ data: new Uint8Array(file) }, m.range)?.bytes, got.bytes);
  });

  it('reads the same bytes from a gzip\'d copy when inflating, and none without', async () => {
    const path = join(TORKZ, 'relay.pcap');
    const gz = join(dir, 'relay.pcap.gz');
    writeFileSync(gz, execFileSync('gzip', ['-c', path]));
    const m = await serverHello(gz);
    const plain = readOnce({ path }, m.range);
    assert.deepEqual(readOnce({ path: gz }, m.range, 65536, true)?.bytes, plain?.bytes);
    assert.deepEqual(readOnce({ data: new Uint8Array(readFileSync(gz)) }, m.range, 65536, true)?.bytes, plain?.bytes);
    assert.equal(readOnce({ path: gz }, m.range, 65536, false), null);
  });

  it('reads a ServerHello from the tcpdump -X text at its lines and columns: the pcap\'s bytes, each at a hex digit', async () => {
    const txt = join(TORKZ, 'relay.tcpdump-X.txt');
    const fromText = await serverHello(txt);
    const fromPcap = await serverHello(join(TORKZ, 'relay.pcap'));
    const got = readOnce({ path: txt }, fromText.range);
    assert.ok(got?.positions);
    assert.deepEqual(got.bytes, readOnce({ path: join(TORKZ, 'relay.pcap') }, fromPcap.range)?.bytes);
    const lines = readFileSync(txt, 'utf8').split('\n');
    got.positions.forEach(([line, column], i) => assert.equal(parseInt(lines[line].slice(column, column + 2), 16), got.bytes[i]));
    // The text of an open (maybe unsaved) document reads the same.
    assert.deepEqual(readOnce({ text: readFileSync(txt, 'utf8') }, fromText.range)?.bytes, got.bytes);
  });

  it('stops at the limit and at the end of the file, saying so', async () => {
    const path = join(TORKZ, 'relay.pcap');
    const m = await serverHello(path);
    const cut = readOnce({ path }, m.range, 10);
    assert.equal(cut?.bytes.length, 10);
    assert.equal(cut?.truncated, true);
    const size = statSync(path).size;
    const tail = readOnce({ path }, [{ kind: 'offset', offset: size - 3, length: 100 }]);
    assert.deepEqual(tail?.bytes, new Uint8Array(readFileSync(path).subarray(size - 3)));
    assert.equal(tail?.truncated, true);
    assert.equal(readOnce({ path }, [{ kind: 'offset', offset: size + 10, length: 4 }])?.bytes.length, 0);
    assert.equal(readOnce({ path }, []), null);
  });
});

/** Every capture under test/fixtures and samples (what analyze accepts; notes and scripts left out). */
function captures(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(pcap|pcapng|cap|gz)$|tcpdump[^/]*\.txt$|\.hexdump$|tshark[^/]*\.txt$/.test(e.name)) out.push(p);
    }
  };
  walk(join(ROOT, 'test', 'fixtures'));
  walk(join(ROOT, 'samples'));
  return out.sort();
}

describe('the TLS-only view of an analysis of every connection', () => {
  it('is what a TLS-only run gives, on every fixture', async () => {
    const files = captures();
    assert.ok(files.length > 50, `found ${files.length} captures`);
    let differing = 0;
    for (const f of files) {
      let all;
      let tls;
      try {
        all = await analyzeFile(f, { packets: true, tlsOnly: false });
        tls = await analyzeFile(f, { packets: true });
      } catch {
        continue; // Not a capture (a fixture of bad input): nothing to view.
      }
      assert.ok(all.connections.length >= tls.connections.length);
      assert.deepEqual({ ...all, connections: all.connections.filter(isTlsView) }, tls, f);
      if (all.connections.length !== tls.connections.length) differing++;
    }
    // The filter was exercised: some captures hold connections that are not TLS.
    assert.ok(differing > 0, 'no fixture had a non-TLS connection');
  });
});
