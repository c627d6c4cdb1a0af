// The real language server on a `tcpdump -XX` dump of a real QUIC capture (lab/quic/make.sh): a hover on
// the ciphertext bytes of the client's Initial names the decrypted ClientHello field they carry. Where the
// server name sits is found independently here: the Initial is opened with node:crypto from RFC 9001's
// recipe (not the engine's code), the SNI found in the plaintext, and plaintext byte i is ciphertext byte i.
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { Hover, MarkupContent } from 'vscode-languageserver-types';
import { startWithDocument, stopLanguageServer } from '../helpers/languageServer';
import { ROOT } from '../helpers/paths';

const DUMP = join(ROOT, 'test', 'fixtures', 'quic', 'ngtcp2-v1.XX.txt');
/** tshark's decryption of the same Initial (test/fixtures/quic/ngtcp2-v1.tshark.json) gives this server name. */
const SNI = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'quic', 'ngtcp2-v1.tshark.json'), 'utf8'))[0]._source.layers['tls.handshake.extensions_server_name'][0] as string;

interface DumpByte { value: number; line: number; column: number }

/** `tcpdump -XX` text as packets of bytes, each with the line and column it was written at. */
function readDump(text: string): DumpByte[][] {
  const packets: DumpByte[][] = [];
  text.split('\n').forEach((line, lineNo) => {
    const m = /^(\s+0x[0-9a-f]{4}:\s+)((?:[0-9a-f]{2,4} ?)+)/.exec(line);
    if (!m) {
      if (/^\S/.test(line)) packets.push([]);
      return;
    }
    let col = m[1].length;
    for (const group of m[2].split(' ')) {
      for (let i = 0; i + 1 < group.length; i += 2) packets[packets.length - 1].push({ value: parseInt(group.slice(i, i + 2), 16), line: lineNo, column: col + i });
      col += group.length + 1;
    }
  });
  return packets;
}

const expandLabel = (secret: Buffer, label: string, length: number): Buffer => {
  const full = Buffer.from(`tls13 ${label}`);
  const info = Buffer.concat([Buffer.from([length >> 8, length & 255, full.length]), full, Buffer.from([0, 1])]);
  return createHmac('sha256', secret).update(info).digest().subarray(0, length);
};

/** Opens the client's first Initial (QUIC v1) in `udp`; the plaintext and where it starts in the UDP payload. */
function openInitial(udp: Buffer): { plaintext: Buffer; start: number } {
  let i = 5;
  const dcid = udp.subarray(i + 1, i + 1 + udp[i]);
  i += 1 + udp[i];
  i += 1 + udp[i];
  const varint = () => { const n = 1 << (udp[i] >> 6); let v = udp[i] & 0x3f; for (let k = 1; k < n; k++) v = v * 256 + udp[i + k]; i += n; return v; };
  const tokenLength = varint();
  i += tokenLength;
  const length = varint();
  const pnOffset = i;
  const initial = createHmac('sha256', Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex')).update(dcid).digest();
  const secret = expandLabel(initial, 'client in', 32);
  const [key, iv, hp] = [expandLabel(secret, 'quic key', 16), expandLabel(secret, 'quic iv', 12), expandLabel(secret, 'quic hp', 16)];
  const mask = createCipheriv('aes-128-ecb', hp, null).update(udp.subarray(pnOffset + 4, pnOffset + 20));
  const header = Buffer.from(udp.subarray(0, pnOffset + 4));
  header[0] ^= mask[0] & 0x0f;
  const pnLength = (header[0] & 3) + 1;
  let pn = 0;
  for (let k = 0; k < pnLength; k++) { header[pnOffset + k] ^= mask[1 + k]; pn = pn * 256 + header[pnOffset + k]; }
  const nonce = Buffer.from(iv);
  nonce.writeUInt32BE(nonce.readUInt32BE(8) ^ pn, 8);
  const body = udp.subarray(pnOffset + pnLength, pnOffset + length);
  const d = createDecipheriv('aes-128-gcm', key, nonce);
  d.setAAD(header.subarray(0, pnOffset + pnLength));
  d.setAuthTag(body.subarray(body.length - 16));
  return { plaintext: Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]), start: pnOffset + pnLength };
}

const hoverText = (h: Hover | null): string => (!h ? '' : typeof h.contents === 'string' ? h.contents : (h.contents as MarkupContent).value);

describe('hovers on a tcpdump -XX dump of a QUIC capture', () => {
  let proc: ChildProcess;
  let conn: MessageConnection;
  const uri = pathToFileURL(DUMP).toString();
  const text = readFileSync(DUMP, 'utf8');

  before(async () => {
    ({ proc, conn } = await startWithDocument(uri, text));
  });

  after(() => stopLanguageServer(proc, conn));

  it('names the decrypted server_name at the ciphertext bytes that carry it', async () => {
    const first = readDump(text)[0];
    // Ethernet (14) + IPv4 (20) + UDP (8), then the client's first Initial.
    const udp = Buffer.from(first.slice(42).map((b) => b.value));
    const { plaintext, start } = openInitial(udp);
    const at = plaintext.indexOf(Buffer.from(SNI));
    assert.ok(at > 0, `the SNI ${SNI} is in the decrypted Initial`);
    const bytes = first.slice(42 + start + at, 42 + start + at + SNI.length);
    // What the dump shows there is ciphertext, not the name.
    assert.notEqual(Buffer.from(bytes.map((b) => b.value)).toString('latin1'), SNI);
    const hover = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: bytes[2].line, character: bytes[2].column } }) as Hover | null;
    const words = hoverText(hover);
    assert.match(words, /server_name|server name/i, words);
    assert.ok(words.includes(SNI), words);
    assert.match(words, /ClientHello/, words);
    assert.match(words, /QUIC|Initial|decrypted/i, words);
  });

  it('names the QUIC header byte before it: the Destination Connection ID is not encrypted', async () => {
    const first = readDump(text)[0];
    // The DCID follows the first byte (1), version (4) and its length (1).
    const dcid = first[42 + 6];
    const hover = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: dcid.line, character: dcid.column } }) as Hover | null;
    const words = hoverText(hover);
    assert.ok(words.length > 0, 'a hover on the QUIC header');
    assert.doesNotMatch(words, /server_name/, words);
  });
});
