import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Interference } from '../../shared/compare';
import { divergenceSuspects } from '../../server/src/rules/divergence';
import { evaluateSuspects } from '../../server/src/rules';
import { CAPTURES, assertRangesInCapture, bytesAt, connectionOf, find, cloneReport, ruleRef, why } from '../helpers/rulesHelpers';

/** What the two-vantage comparison concludes for the tor-kz pair (see test/fixtures/tor-kz/README.md). */
const SERVER_HELLO_DROPPED: Interference = {
  kind: 'drop',
  direction: 'relay-to-client',
  firstMissingTlsMessage: 'ServerHello',
  confidence: 0.9,
  evidence: ['The relay sent its ServerHello and retransmitted it; the client never received it.'],
};

test('relay view of a dropped ServerHello: its fields come first, with the explanation of the block point', async () => {
  const c = await connectionOf(CAPTURES.torRelay);
  const s = divergenceSuspects(c, SERVER_HELLO_DROPPED);
  assert.ok(s.length > 0);
  assert.equal(s[0].rule, 'divergence.first-missing');
  assert.equal(s[0].field, 'serverHello.cipherSuite');
  assert.equal(s[0].message, 'ServerHello');
  assert.equal(s[0].weight, 'medium');
  assert.match(s[0].reason ?? '', /^The cipher suite the server chose, in the ServerHello, the first message that never arrived \(relay → client\)/);
  assert.match(s[0].value ?? '', /0xc030/);
  assert.deepEqual([...bytesAt(CAPTURES.torRelay, s[0].range)], [0xc0, 0x30]);
  const first = s.filter((x) => x.rule === 'divergence.first-missing').map((x) => x.field);
  // A TLS 1.2 ServerHello without supported_versions has no selected version to mark (issue #15).
  assert.deepEqual(first, ['serverHello.cipherSuite', 'serverHello.extensions', 'serverHello.compressionMethod', 'serverHello.sessionId']);
  assert.ok(!c.serverHello?.extensions.some((e) => e.type === 43));
  assert.ok(s.every((x) => x.weight === 'medium'));
  assert.match(ruleRef(s[0]), /Kazakhstan/);
  assertRangesInCapture(CAPTURES.torRelay, s);
});

test('messages in the same TCP segment as the stopped ServerHello are suspects too; the ClientHello that passed comes last', async () => {
  const c = await connectionOf(CAPTURES.torRelay);
  const s = divergenceSuspects(c, SERVER_HELLO_DROPPED);
  const roles = s.map((x) => x.rule);
  // Ranked: first-missing, then dropped-with-it, then last-passed.
  const order = ['divergence.first-missing', 'divergence.dropped-with-it', 'divergence.last-passed'];
  assert.deepEqual([...roles].sort((a, b) => order.indexOf(a) - order.indexOf(b)), roles);
  // Certificate and ServerKeyExchange shared the ServerHello's segment (packet 6 of relay.pcap).
  const subject = find(s, 'divergence.dropped-with-it', 'certificates[0].subject');
  assert.ok(subject);
  assert.equal(subject.message, 'Certificate');
  assert.match(why(subject), /same TCP segment as the ServerHello/);
  assert.equal(find(s, 'divergence.dropped-with-it', 'serverKeyExchange.namedCurve')?.value, 'secp256r1');
  const passed = s.filter((x) => x.rule === 'divergence.last-passed');
  assert.ok(passed.length > 0);
  assert.ok(passed.every((x) => x.message === 'ClientHello'));
  assert.match(why(passed[0]), /got through/);
});

test('client view of the same drop: no ServerHello fields (they never arrived), the ClientHello that passed is listed', async () => {
  const c = await connectionOf(CAPTURES.torClient);
  assert.equal(c.serverHello, null);
  const s = divergenceSuspects(c, SERVER_HELLO_DROPPED);
  assert.ok(s.length > 0);
  assert.ok(s.every((x) => x.rule === 'divergence.last-passed' && x.message === 'ClientHello'));
  assert.match(why(s[0]), /this capture does not hold it/);
  assertRangesInCapture(CAPTURES.torClient, s);
});

test('no divergence suspects without interference or without a stopped message', async () => {
  const c = await connectionOf(CAPTURES.torRelay);
  assert.deepEqual(divergenceSuspects(c, { kind: 'none', direction: null, firstMissingTlsMessage: null, confidence: 1, evidence: [] }), []);
  assert.deepEqual(divergenceSuspects(c, { ...SERVER_HELLO_DROPPED, kind: 'injected-reset', firstMissingTlsMessage: null }), []);
});

test('a stopped Certificate puts the leaf\'s subject, issuer, lifetime, key and signature first', async () => {
  const c = await connectionOf(CAPTURES.tor2011);
  const s = divergenceSuspects(c, { ...SERVER_HELLO_DROPPED, firstMissingTlsMessage: 'Certificate' });
  const first = s.filter((x) => x.rule === 'divergence.first-missing').map((x) => x.field);
  assert.deepEqual(first, ['certificates[0].subject', 'certificates[0].issuer', 'certificates[0].notAfter', 'certificates[0].publicKey', 'certificates[0].signatureAlgorithm']);
  // The ServerKeyExchange travelled in the same segment; the ServerHello before it passed.
  assert.match(find(s, 'divergence.dropped-with-it', 'serverKeyExchange.dhPrime')?.value ?? '', /1024 bits, RFC 2409 Oakley group 2/);
  assert.ok(find(s, 'divergence.last-passed', 'serverHello.cipherSuite'));
});

test('evaluateSuspects: catalogue and divergence together, ranked by evidence, each field marked once', async () => {
  const c = await connectionOf(CAPTURES.torRelay);
  const s = evaluateSuspects(c, { interference: SERVER_HELLO_DROPPED });
  assert.deepEqual(s.map((x) => x.rank), s.map((_, i) => i + 1), 'in rank order');
  // A documented match in a message dropped at the block point first, then the first missing message's telling fields.
  assert.deepEqual(s.slice(0, 4).map((x) => `${x.rule} ${x.field}`), [
    'catalogue.tor-random-cert-names certificates[0].subject', 'catalogue.tor-random-cert-names certificates[0].issuer',
    'divergence.first-missing serverHello.cipherSuite', 'divergence.first-missing serverHello.extensions',
  ]);
  assert.match(s[0].reason ?? '', /It is in the Certificate, dropped in the same TCP segment as the ServerHello \(relay → client\)/);
  // Ordinary values (null compression, an empty session id) come last among the ServerHello's.
  const at = (f: string) => s.findIndex((x) => x.field === f);
  assert.ok(at('serverHello.compressionMethod') > at('certificates[0].notAfter'));
  const keys = s.map((x) => x.field);
  assert.equal(new Set(keys).size, keys.length, 'no field marked twice');
  // A field the catalogue marks is not marked again by divergence: its place is in the catalogue suspect's reason.
  assert.ok(find(s, 'catalogue.china-2011-tor-client-hello', 'clientHello.cipherSuites'));
  assert.equal(find(s, 'divergence.last-passed', 'clientHello.cipherSuites'), undefined);
  assert.match(find(s, 'catalogue.china-2011-tor-client-hello', 'clientHello.cipherSuites')?.reason ?? '', /the last message from the client that got through/);
  assertRangesInCapture(CAPTURES.torRelay, s);
  // Without an interference only the catalogue speaks.
  assert.ok(evaluateSuspects(c).every((x) => x.rule.startsWith('catalogue.')));
});

test('a field whose value differs between the two vantage points ranks first, and its reason says so', async () => {
  const relay = await connectionOf(CAPTURES.torRelay);
  const client = cloneReport(relay);
  // As if the path rewrote the ClientHello's server name on the way.
  client.clientHello!.serverName = 'www.example.com';
  const s = evaluateSuspects(relay, { interference: SERVER_HELLO_DROPPED, other: client });
  assert.equal(s[0].field, 'clientHello.serverName');
  assert.match(s[0].reason ?? '', /The other capture has .*www\.example\.com.* here: the value changed on the way/);
  // Without the other view it is not first.
  assert.notEqual(evaluateSuspects(relay, { interference: SERVER_HELLO_DROPPED })[0].field, 'clientHello.serverName');
});
