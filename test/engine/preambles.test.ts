import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import type { AnalysisReport, ConnectionReport, TlsStartedBy } from '../../shared/analysis';

// TLS after a preamble, on real captures (lab/preambles/make.sh): openssl
// s_client -starttls against a scripted server, curl through microsocks,
// dante, tinyproxy and haproxy. Checked against tshark's decode of the same
// files (NAME.tshark.tsv, written by lab/preambles/reference.sh).
const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'preambles');
const CAPTURES = readdirSync(DIR).filter((f) => f.endsWith('.pcap')).sort();

const STARTED_BY: Record<string, TlsStartedBy> = {
  'http-connect': 'http-connect', 'proxy-v1': 'proxy-v1', 'proxy-v2': 'proxy-v2', socks4: 'socks4', socks5: 'socks5', 'socks5-auth': 'socks5',
  'starttls-ftp': 'starttls-ftp', 'starttls-imap': 'starttls-imap', 'starttls-irc': 'starttls-irc', 'starttls-ldap': 'starttls-ldap',
  'starttls-nntp': 'starttls-nntp', 'starttls-pop3': 'starttls-pop3', 'starttls-postgres': 'starttls-postgres', 'starttls-sieve': 'starttls-sieve',
  'starttls-smtp': 'starttls-smtp', 'starttls-xmpp': 'starttls-xmpp', 'starttls-smtp-refused': 'starttls-smtp', 'socks5-tor-refused': 'socks5',
};

interface TsharkHello { frame: number; srcPort: number; seq: number; type: number; ciphers: number[]; sni: string; ja3: string }

function tsharkHellos(file: string): TsharkHello[] {
  const text = readFileSync(join(DIR, file.replace(/\.pcap$/, '.tshark.tsv')), 'utf8');
  return text.split('\n').filter(Boolean).map((l) => {
    const [frame, srcPort, seq, type, ciphers, sni, ja3] = l.split('\t');
    return { frame: Number(frame), srcPort: Number(srcPort), seq: Number(seq), type: Number(type), ciphers: ciphers.split(',').map((c) => parseInt(c, 16)), sni, ja3 };
  });
}

const analyses = new Map<string, Promise<AnalysisReport>>();
const analyse = (f: string) => {
  if (!analyses.has(f)) analyses.set(f, analyzeFile(join(DIR, f)));
  return analyses.get(f)!;
};

/** The connection with the preamble (haproxy's files hold the plain client leg too). */
const withPreamble = (r: AnalysisReport): ConnectionReport => {
  const c = r.connections.find((x) => x.preamble);
  assert.ok(c, 'a connection with a preamble');
  return c;
};

test('every preamble capture is known to this test', () => {
  assert.ok(CAPTURES.length >= 16);
  for (const f of CAPTURES) assert.ok(f.replace(/\.pcap$/, '') in STARTED_BY, f);
});

for (const file of CAPTURES) {
  const name = file.replace(/\.pcap$/, '');
  test(`${name}: TLS reached by ${STARTED_BY[name]}, hellos at tshark's frames and stream offsets`, async () => {
    const report = await analyse(file);
    const conn = withPreamble(report);
    assert.equal(conn.tls.startedBy ?? conn.preamble?.protocol, STARTED_BY[name]);
    assert.equal(conn.preamble!.protocol, STARTED_BY[name]);
    const hellos = tsharkHellos(file);
    if (name === 'starttls-smtp-refused' || name === 'socks5-tor-refused') {
      assert.equal(hellos.length, 0);
      return;
    }
    assert.ok(hellos.length >= 2);
    assert.equal(conn.isTls, true);
    assert.equal(conn.preamble!.noTls, null);
    assert.deepEqual(conn.diagnostics.filter((d) => d.severity !== 'info'), [], 'no warnings or errors');
    for (const h of hellos) {
      const c = report.connections.find((x) => x.client.port === h.srcPort || (h.type === 2 && x.server.port === h.srcPort && x.preamble === conn.preamble));
      if (c !== conn) continue;
      const dir = h.type === 1 ? 'client' : 'server';
      // tshark's relative sequence number counts the SYN: stream offset + 1.
      assert.equal(conn.tls.startOffset?.[dir], h.seq - 1, `${dir} TLS start offset`);
      const m = conn.messages.find((x) => x.from === dir && x.type === h.type)!;
      assert.equal(m.span[0], h.seq - 1 + 5, `${dir} hello right after its record header`);
      assert.equal(m.packet, h.frame - 1, `${dir} hello's packet`);
      if (h.type === 1) {
        assert.deepEqual(conn.clientHello!.cipherSuites, h.ciphers);
        assert.equal(conn.clientHello!.serverName ?? '', h.sni);
        assert.equal(conn.fingerprints.ja3, h.ja3);
      } else {
        assert.equal(conn.serverHello!.cipherSuite, h.ciphers[0]);
      }
    }
  });

  test(`${name}: every preamble unit's range holds the bytes it describes`, async () => {
    const report = await analyse(file);
    const conn = withPreamble(report);
    const bytes = readFileSync(join(DIR, file));
    const units = conn.preamble!.units;
    assert.ok(units.length > 0);
    for (const u of units) {
      const got = Buffer.concat(u.range.map((l) => (l.kind === 'offset' ? bytes.subarray(l.offset, l.offset + l.length) : Buffer.alloc(0))));
      assert.equal(got.length, u.span[1] - u.span[0], `unit "${u.text}" fully located`);
      const printable = /^[\x20-\x7e]+\r?\n$/.test(got.toString('latin1'));
      if (printable) assert.equal(got.toString('latin1').replace(/\r?\n$/, ''), u.text);
    }
  });
}

test('SMTP: the dialogue is listed in order and STARTTLS is answered 220', async () => {
  const conn = withPreamble(await analyse('starttls-smtp.pcap'));
  const texts = conn.preamble!.units.map((u) => `${u.from}: ${u.text}`);
  assert.deepEqual(texts.slice(0, 2), ['server: 220 mx.example.test ESMTP lab', 'client: EHLO mail.example.com']);
  assert.deepEqual(texts.slice(-2), ['client: STARTTLS', 'server: 220 2.0.0 Ready to start TLS']);
});

test('a refused STARTTLS says so, and the connection is listed without --all', async () => {
  const report = await analyse('starttls-smtp-refused.pcap');
  assert.equal(report.connections.length, 1);
  const conn = report.connections[0];
  assert.equal(conn.isTls, false);
  assert.equal(conn.preamble!.noTls, 'STARTTLS refused: 454 4.7.0 TLS not available due to local problem');
  assert.ok(conn.diagnostics.some((d) => d.code === 'tls.no-tls-after-preamble' && d.message.includes('454 4.7.0')));
});

test('SOCKS5: the target host and port; the password is never shown', async () => {
  assert.deepEqual(withPreamble(await analyse('socks5.pcap')).preamble!.destination, { host: 'localhost', port: 4443 });
  const report = await analyse('socks5-auth.pcap');
  const conn = withPreamble(report);
  assert.deepEqual(conn.preamble!.destination, { host: '127.0.0.1', port: 4443 });
  assert.ok(conn.preamble!.units.some((u) => u.text === 'SOCKS5 login: user "lab", password of 7 byte(s) (not shown)'));
  assert.ok(!JSON.stringify(report).includes('labpass'));
});

test("Tor's own SOCKS port (no network): the request as tshark decodes it, and the refusal that kept TLS from starting", async () => {
  // tshark -d tcp.port==9050,socks -O socks on the same file: methods 0 and 1, CONNECT example.test:443, reply 1.
  const report = await analyse('socks5-tor-refused.pcap');
  assert.equal(report.connections.length, 1);
  const conn = report.connections[0];
  assert.equal(conn.isTls, false);
  assert.deepEqual(conn.preamble!.destination, { host: 'example.test', port: 443 });
  assert.deepEqual(conn.preamble!.units.map((u) => u.text), [
    'SOCKS5 greeting: methods no authentication, GSSAPI',
    'SOCKS5 method: no authentication',
    'SOCKS5 CONNECT example.test:443',
    'SOCKS5 reply: general SOCKS server failure (bound 0.0.0.0:0)',
  ]);
  assert.equal(conn.preamble!.noTls, 'SOCKS5 refused: general SOCKS server failure (1)');
});

test('SOCKS4 and HTTP CONNECT: the target', async () => {
  assert.deepEqual(withPreamble(await analyse('socks4.pcap')).preamble!.destination, { host: '127.0.0.1', port: 4443 });
  const c = withPreamble(await analyse('http-connect.pcap'));
  assert.deepEqual(c.preamble!.units[0].text, 'CONNECT localhost:4443 HTTP/1.1');
  assert.equal(c.preamble!.units.find((u) => u.from === 'server')!.text, 'HTTP/1.0 200 Connection established');
});

for (const v of ['proxy-v1', 'proxy-v2']) {
  test(`${v}: the PROXY header names the client leg haproxy received (the capture's other connection)`, async () => {
    const report = await analyse(`${v}.pcap`);
    assert.equal(report.connections.length, 2);
    const leg = report.connections.find((c) => !c.preamble)!;
    assert.equal(leg.tls.startedBy, 'stream-start');
    const conn = withPreamble(report);
    assert.deepEqual(conn.preamble!.source, { host: leg.client.address, port: leg.client.port });
    assert.deepEqual(conn.preamble!.destination, { host: leg.server.address, port: leg.server.port });
    assert.equal(conn.tls.startOffset!.server, 0, 'the server side starts with TLS');
  });
}

test('the text summary lists the preamble and why TLS never came', async () => {
  const { formatConnectionText } = await import('../../server/src/output/textSummary');
  const refused = formatConnectionText((await analyse('starttls-smtp-refused.pcap')).connections[0], { color: false });
  assert.match(refused, /no TLS after starttls-smtp: STARTTLS refused: 454 4\.7\.0/);
  assert.match(refused, /C: STARTTLS\n/);
  const socks = formatConnectionText(withPreamble(await analyse('socks5.pcap')), { color: false });
  assert.match(socks, /TLS after socks5 \(client offset 20, server offset 12\); target localhost:4443/);
});

test('cut or damaged preamble captures never throw, and units stay within their bounds', async () => {
  const { analyzeBytes } = await import('../../server/src/analysis/analyzeCapture');
  let runs = 0;
  for (const file of CAPTURES) {
    const bytes = readFileSync(join(DIR, file));
    for (let cut = 60; cut < Math.min(bytes.length, 2500); cut += 37) {
      const damaged = Uint8Array.from(bytes);
      // Flip a byte inside the cut-off capture as well: framing then meets bytes it did not expect.
      damaged[cut - 7] ^= 0x5a;
      const r = analyzeBytes(damaged.subarray(0, cut), file, { tlsOnly: false });
      runs++;
      for (const c of r.connections) {
        for (const u of c.preamble?.units ?? []) assert.ok(u.span[0] < u.span[1] && u.span[1] - u.span[0] <= 64 * 1024);
        assert.ok((c.preamble?.units.length ?? 0) <= 64);
      }
    }
  }
  assert.ok(runs > 100);
});

test('the text dissection (editor) shows the preamble before the handshake', async () => {
  const { renderDissection } = await import('../../server/src/lsp/dissection');
  const text = renderDissection(await analyse('starttls-imap.pcap')).text;
  assert.match(text, /Preamble: starttls-imap, TLS from client offset 26, server offset 171\n/);
  assert.match(text, /C: \. STARTTLS\n\s+S: \. OK Begin TLS negotiation now\.\n/);
});
