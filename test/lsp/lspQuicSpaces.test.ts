// The real language server on a `tcpdump -XX` dump of a real resumed QUIC connection (lab/quic/make-1rtt.sh,
// 0-RTT) with its key log: a hover on decrypted CRYPTO bytes names the packet space they came from (issue #14).
// Which QUIC packet of a datagram holds a byte is found here by walking the long headers (RFC 9000 §17.2), not
// with the engine's code; which handshake messages each frame carries is tshark's decryption
// (test/fixtures/quic/ngtcp2-0rtt.1rtt.tshark.json).
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { Hover, MarkupContent } from 'vscode-languageserver-types';
import { dumpPackets } from '../helpers/dumpPositions';
import { startWithDocument, stopLanguageServer } from '../helpers/languageServer';
import { ROOT } from '../helpers/paths';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'quic');
const DUMP = join(FIXTURES, 'ngtcp2-0rtt.XX.txt');
const KEYS = join(FIXTURES, 'ngtcp2-0rtt.keys');
const REFERENCE = JSON.parse(readFileSync(join(FIXTURES, 'ngtcp2-0rtt.1rtt.tshark.json'), 'utf8')) as Array<{ _source: { layers: Record<string, string[] | undefined> } }>;
const MESSAGE_NAMES: Record<string, string> = { 1: 'ClientHello', 2: 'ServerHello', 4: 'NewSessionTicket', 8: 'EncryptedExtensions', 20: 'Finished' };

/** The QUIC packets coalesced in a UDP payload: [space, start, end) (v1 long header types; a short header runs to the end). */
function quicPackets(udp: number[]): Array<{ space: string; start: number; end: number }> {
  const out: Array<{ space: string; start: number; end: number }> = [];
  let i = 0;
  while (i < udp.length) {
    const start = i;
    if ((udp[i] & 0x80) === 0) {
      out.push({ space: '1-RTT', start, end: udp.length });
      break;
    }
    const space = ['Initial', '0-RTT', 'Handshake', 'Retry'][(udp[i] >> 4) & 3];
    i += 5;
    i += 1 + udp[i];
    i += 1 + udp[i];
    const varint = (): number => { const n = 1 << (udp[i] >> 6); let v = udp[i] & 0x3f; for (let k = 1; k < n; k++) v = v * 256 + udp[i + k]; i += n; return v; };
    // `i += varint()` would add to the i read before varint() moved it.
    const token = space === 'Initial' ? varint() : 0;
    i += token;
    const length = varint();
    i += length;
    out.push({ space, start, end: i });
  }
  return out;
}

const hoverText = (h: Hover | null): string => (!h ? '' : typeof h.contents === 'string' ? h.contents : (h.contents as MarkupContent).value);
/** The hover's heading (its first line): the field's path. */
const heading = (words: string): string => words.split('\n')[0];
/** A hover heading's Markdown escaping of a path step. */
const md = (s: string): string => s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');

describe('hovers on a tcpdump -XX dump of a QUIC capture name the packet space of decrypted bytes', () => {
  let proc: ChildProcess;
  let conn: MessageConnection;
  const uri = pathToFileURL(DUMP).toString();
  const text = readFileSync(DUMP, 'utf8');
  const frames = dumpPackets(text);

  before(async () => {
    ({ proc, conn } = await startWithDocument(uri, text, { keyLogFiles: [KEYS] }));
  });

  after(() => stopLanguageServer(proc, conn));

  /** Headings of the hovers on every byte of one QUIC packet of a frame (1-based, as tshark numbers them). */
  async function headingsIn(frame: number, space: string): Promise<string[]> {
    const bytes = frames[frame - 1];
    // Ethernet (14) + IPv4 (20) + UDP (8).
    const udp = bytes.slice(42);
    const packet = quicPackets(udp.map((b) => b.v)).find((p) => p.space === space);
    assert.ok(packet, `frame ${frame} has a ${space} packet`);
    const out: string[] = [];
    for (const b of udp.slice(packet.start, packet.end)) {
      const hover = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: b.line, character: b.column } }) as Hover | null;
      out.push(heading(hoverText(hover)));
    }
    return out;
  }

  /** The handshake messages tshark decrypted in a frame. */
  const messagesOf = (frame: number): string[] => (REFERENCE[frame - 1]._source.layers['tls.handshake.type'] ?? []).map((t) => MESSAGE_NAMES[t] ?? t);

  for (const [frame, space, message] of [[2, 'Initial', 'ServerHello'], [2, 'Handshake', 'EncryptedExtensions'], [5, 'Handshake', 'Finished'], [7, '1-RTT', 'NewSessionTicket']] as const) {
    it(`frame ${frame}: the ${space} packet's ${message} is labelled "QUIC ${space} (decrypted)"`, async () => {
      assert.ok(messagesOf(frame).includes(message), `tshark decrypts a ${message} in frame ${frame}: ${messagesOf(frame).join(', ')}`);
      const headings = await headingsIn(frame, space);
      const quic = headings.filter((h) => h.includes(md('(decrypted)')));
      const label = `**${md(`QUIC ${space} (decrypted)`)} › Handshake › ${message}`;
      assert.ok(quic.some((h) => h.startsWith(label)), `a hover names ${message} in ${space}:\n${[...new Set(quic)].join('\n')}`);
      const others = quic.filter((h) => !h.startsWith(`**${md(`QUIC ${space} (decrypted)`)} › `));
      assert.deepEqual(others, [], `bytes of the ${space} packet labelled with another space`);
    });
  }
});
