import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { compareCaptures, compareReports } from '../../server/src/compare/compareCaptures';
import type { ConnectionReport } from '../../shared/analysis';
import type { CompareReport, ConnectionPair } from '../../shared/compare';
import { renderHtml } from '../../server/src/report/html';
import { renderMarkdown } from '../../server/src/report/markdown';
import { buildLadder, buildSections } from '../../shared/report/model';
import { ROOT } from '../helpers/paths';

// Real QUIC captures made by lab/quic-censor/make.sh: ngtcp2's gtlsclient and gtlsserver in network namespaces,
// a censor between them (censor.py) that decrypts client Initials and blocks by SNI, tcpdump at both ends.
// Four QUIC flows per run, each from a new client port to 10.77.0.2:443: allowed.example, blocked.example,
// allowed.example inside the residual-blocking window, allowed.example after it; and inside the window a TLS
// connection over TCP to the same server and port (openssl s_client), whose SYNs the blocked triple swallows.
const DIR = join(ROOT, 'test', 'fixtures', 'quic-censor');
const files = (mode: string) => [join(DIR, mode, 'client.pcap'), join(DIR, mode, 'relay.pcap')] as const;
const cache = new Map<string, Promise<CompareReport>>();
const compare = (mode: string) => {
  if (!cache.has(mode)) cache.set(mode, compareCaptures(...files(mode)));
  return cache.get(mode)!;
};
const clientConn = (r: CompareReport, p: ConnectionPair) => r.client.connections.find((c) => c.id === p.client)!;
/** The QUIC flows in the order the client started them. */
const flows = (r: CompareReport) => r.pairs.filter((p) => clientConn(r, p).transport === 'quic').sort((a, b) => clientConn(r, a).startTime - clientConn(r, b).startTime);
const tcpPair = (r: CompareReport) => r.pairs.find((p) => clientConn(r, p).transport === undefined)!;

/** Datagrams censor.py logged as dropped, per client port (its own record of what it did). */
function censorDrops(mode: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of readFileSync(join(DIR, mode, 'censor.log'), 'utf8').split('\n')) {
    const m = /^\S+ drop (c->s|s->c) (?:[\d.]+):(\d+) -> (?:[\d.]+):(\d+)/.exec(line);
    if (m) {
      const port = Number(m[1] === 'c->s' ? m[2] : m[3]);
      out.set(port, (out.get(port) ?? 0) + 1);
    } else if (/ drop c->s \d+ bytes: SNI/.test(line)) out.set(-1, (out.get(-1) ?? 0) + 1);
  }
  return out;
}

test('QUIC through an SNI censor: the blocked flow and the one after it never reach the relay (relay: null, drop)', async () => {
  const r = await compare('sni-drop');
  assert.deepEqual(r.client.connections.map((c) => c.transport ?? 'tcp').sort(), ['quic', 'quic', 'quic', 'quic', 'tcp']);
  const [first, blocked, residual, last] = flows(r);
  assert.equal(r.pairs.length, 5);
  assert.deepEqual(r.unmatched, { client: [], relay: [] });
  assert.equal(r.spoofed, undefined);
  for (const p of [first, last]) {
    assert.notEqual(p.relay, null);
    assert.equal(p.interference.kind, 'none', p.interference.evidence.join(' '));
    assert.ok(p.matchedBy.some((m) => m.includes('QUIC connection ID')), p.matchedBy.join('; '));
    assert.ok(p.packets.length > 4 && p.packets.every((x) => x.status === 'delivered' || x.status === 'retransmitted'));
  }
  assert.equal(clientConn(r, blocked).tls.serverName, 'blocked.example');
  assert.equal(clientConn(r, residual).tls.serverName, 'allowed.example');
  for (const p of [blocked, residual]) {
    assert.equal(p.relay, null);
    assert.equal(p.interference.kind, 'drop');
    assert.equal(p.interference.direction, 'client-to-relay');
    assert.equal(p.interference.firstMissingTlsMessage, 'ClientHello');
    assert.ok(p.packets.length >= 2 && p.packets.every((x) => x.from === 'client' && x.status === 'dropped' && x.relayIndex === -1));
    // The first datagram carries the ClientHello; later ones are its retransmissions (same CRYPTO bytes, new packet numbers).
    assert.deepEqual(p.packets[0].tls, ['ClientHello']);
    assert.equal(p.packets[0].length, 1200);
    assert.ok(p.packets.slice(1).every((x) => x.notes.includes('retransmission')));
    // Every one of them is one the censor logged as dropped: the two records agree.
    const port = clientConn(r, p).client.port;
    const logged = (censorDrops('sni-drop').get(port) ?? 0) + (p === blocked ? censorDrops('sni-drop').get(-1) ?? 0 : 0);
    assert.equal(p.packets.length, logged, `port ${port}`);
  }
  assert.match(residual.interference.evidence.join(' '), /client connection \d+ on the same client address, server and port .*blocked\.example/);
  assert.match(residual.interference.evidence.join(' '), /same server name \(allowed\.example\) got through/);
  // The TCP connection tried inside the window: its SYN and the SYN's retransmission never reached the relay.
  const tcp = tcpPair(r);
  assert.equal(tcp.relay, null);
  assert.equal(tcp.interference.kind, 'drop');
  assert.equal(tcp.interference.direction, 'client-to-relay');
  assert.equal(tcp.interference.firstMissingTlsMessage, null, 'no ClientHello was ever sent');
  assert.ok(tcp.packets.length >= 2 && tcp.packets.every((x) => x.flags === 'S' && x.status === 'dropped'), JSON.stringify(tcp.packets.map((x) => x.flags)));
  assert.match(tcp.interference.evidence[0], /^The client sent its SYN at .* and retransmitted it \d+ times?/);
  assert.equal(tcp.packets.length, censorDrops('sni-drop').get(clientConn(r, tcp).client.port));
  // Suspects name the ClientHello's server name, with the bytes it came from.
  assert.ok(blocked.suspects.some((s) => s.field === 'clientHello.serverName' && s.value?.includes('blocked.example') && s.range.length > 0));
});

test('QUIC through a GFW-like censor: the Initial passes, the server\'s answer is dropped (relay-to-client, ServerHello)', async () => {
  const r = await compare('gfw-pass-trigger');
  const [first, blocked, residual, last] = flows(r);
  assert.equal(first.interference.kind, 'none');
  assert.equal(last.interference.kind, 'none');
  assert.equal(clientConn(r, blocked).tls.serverName, 'blocked.example');
  assert.notEqual(blocked.relay, null);
  assert.equal(blocked.interference.kind, 'drop');
  assert.equal(blocked.interference.direction, 'relay-to-client');
  assert.equal(blocked.interference.firstMissingTlsMessage, 'ServerHello');
  const sent = blocked.packets.filter((p) => p.from === 'client');
  assert.equal(sent[0].status, 'delivered');
  assert.deepEqual(sent[0].tls, ['ClientHello']);
  assert.ok(sent.slice(1).length > 0 && sent.slice(1).every((p) => p.status === 'dropped' && p.notes.includes('retransmission')));
  const answers = blocked.packets.filter((p) => p.from === 'relay');
  assert.ok(answers.length > 0 && answers.every((p) => p.status === 'dropped'));
  assert.deepEqual(answers[0].tls, ['ServerHello']);
  assert.ok(answers.slice(1).every((p) => p.notes.includes('retransmission')));
  // The censor's log and the comparison count the same drops on this flow.
  const port = clientConn(r, blocked).client.port;
  assert.equal(blocked.packets.filter((p) => p.status === 'dropped').length, censorDrops('gfw-pass-trigger').get(port));
  assert.equal(residual.relay, null);
  assert.equal(residual.interference.kind, 'drop');
  assert.equal(residual.interference.firstMissingTlsMessage, 'ClientHello');
});

test('a relay connection from the client\'s address that the client never sent is listed apart as spoofed', async () => {
  // The real GFW-mode captures with the blocked flow taken out of the client's analysis: the relay then holds a
  // connection from the client's address, inside the client capture's time, that the client has no trace of.
  const [c, rl] = files('gfw-pass-trigger');
  const client = await analyzeFile(c, { packets: true, tlsOnly: false });
  const relay = await analyzeFile(rl, { packets: true, tlsOnly: false });
  const isBlocked = (x: ConnectionReport) => x.tls.serverName === 'blocked.example';
  const r = compareReports({ ...client, connections: client.connections.filter((x) => !isBlocked(x)) }, relay);
  const forged = relay.connections.find(isBlocked)!;
  assert.deepEqual(r.spoofed?.map((s) => s.relay), [forged.id]);
  assert.ok(!r.unmatched.relay.includes(forged.id));
  assert.match(r.spoofed![0].evidence.join(' '), /the address the client's other connections arrive from/);
  // The reports list it apart, saying so.
  assert.match(renderMarkdown(r, { annotations: [], generatedAt: new Date(0) }), /\*\*Seen only at the relay, never sent by the client: spoofed\*\*/);
  assert.match(renderHtml(r, { annotations: [], generatedAt: new Date(0) }), /<p class="headline">Seen only at the relay, never sent by the client: spoofed\.<\/p>/);
  // Without it, nothing is spoofed.
  assert.equal(compareReports(client, relay).spoofed, undefined);
});

test('QUIC datagrams pair by payload hash: a capture against itself delivers every datagram, each timeline entry hashed', async () => {
  const f = join(ROOT, 'test', 'fixtures', 'quic', 'ngtcp2-v1.pcap');
  const r = await compareCaptures(f, f);
  assert.equal(r.pairs.length, 1);
  const p = r.pairs[0];
  assert.equal(p.interference.kind, 'none');
  assert.ok(p.packets.every((x) => x.status === 'delivered' && x.clientIndex === x.relayIndex));
  const conn = r.client.connections[0];
  assert.equal(p.packets.length, conn.quic!.datagrams.client + conn.quic!.datagrams.server);
  assert.ok(conn.packets!.every((x) => /^[0-9a-f]{8}$/.test(x.payloadHash)));
});

test('reports of a QUIC pair show datagram sizes: ladder labels, retransmissions grouped, the sizes per end', async () => {
  const r = await compare('gfw-pass-trigger');
  const blocked = flows(r)[1];
  const section = buildSections('compare', r).find((s) => s.pair === blocked)!;
  const ladder = buildLadder(section);
  const labels = ladder.arrows.map((a) => `${a.dir} ${a.kind} ×${a.count} ${a.label}`);
  assert.equal(labels[0], 'right delivered ×1 ClientHello · 1200 B');
  // The server's Initial and its two retransmissions (same CRYPTO bytes) are one dropped arrow; the client's own
  // retransmitted Initial, sent a second later, is its own arrow.
  assert.ok(labels.includes('left dropped ×3 ServerHello · 1200 B'), labels.join('\n'));
  assert.ok(labels.includes('right dropped ×1 QUIC Initial · 1200 B (retransmission)'), labels.join('\n'));
  const md = renderMarkdown(r, { annotations: [], generatedAt: new Date(0) });
  assert.match(md, /relay capture: QUIC v1 datagrams\\: client 1 \\\(1200 bytes\\\); server 3 \\\(1200, 1200, 1200 bytes\\\)/);
  const page = renderHtml(r, { annotations: [], generatedAt: new Date(0) });
  assert.match(page, /client capture:<\/span> <bdi>[^<]*QUIC v1 datagrams: client 2 \(1200, 1200 bytes\); server 0 \(none\)/);
  assert.match(page, /never seen in the relay capture/);
});
