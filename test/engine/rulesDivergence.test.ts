import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Interference } from '../../shared/compare';
import { divergenceSuspects } from '../../server/src/rules/divergence';
import { evaluateSuspects } from '../../server/src/rules';
import { CAPTURES, assertRangesInCapture, bytesAt, connectionOf, find } from '../helpers/rulesHelpers';

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
  assert.match(s[0].explanation, /^The censor's match must lie in the messages around the block point: the ServerHello was the first message that never arrived \(relay → client\)/);
  assert.match(s[0].value ?? '', /0xc030/);
  assert.deepEqual([...bytesAt(CAPTURES.torRelay, s[0].range)], [0xc0, 0x30]);
  const first = s.filter((x) => x.rule === 'divergence.first-missing').map((x) => x.field);
  assert.deepEqual(first, ['serverHello.cipherSuite', 'serverHello.extensions', 'serverHello.selectedVersion', 'serverHello.compressionMethod', 'serverHello.sessionId']);
  assert.ok(s.every((x) => x.weight === 'medium'));
  assert.match(s[0].reference, /Kazakhstan/);
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
  assert.match(subject.explanation, /same TCP segment as the ServerHello/);
  assert.equal(find(s, 'divergence.dropped-with-it', 'serverKeyExchange.namedCurve')?.value, 'secp256r1');
  const passed = s.filter((x) => x.rule === 'divergence.last-passed');
  assert.ok(passed.length > 0);
  assert.ok(passed.every((x) => x.message === 'ClientHello'));
  assert.match(passed[0].explanation, /got through/);
});

test('client view of the same drop: no ServerHello fields (they never arrived), the ClientHello that passed is listed', async () => {
  const c = await connectionOf(CAPTURES.torClient);
  assert.equal(c.serverHello, null);
  const s = divergenceSuspects(c, SERVER_HELLO_DROPPED);
  assert.ok(s.length > 0);
  assert.ok(s.every((x) => x.rule === 'divergence.last-passed' && x.message === 'ClientHello'));
  assert.match(s[0].explanation, /this capture does not hold it/);
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

test('evaluateSuspects: catalogue and divergence together, sorted by weight, one per rule and field', async () => {
  const c = await connectionOf(CAPTURES.torRelay);
  const s = evaluateSuspects(c, { interference: SERVER_HELLO_DROPPED });
  const rank = { high: 0, medium: 1, low: 2 };
  for (let i = 1; i < s.length; i++) assert.ok(rank[s[i - 1].weight] <= rank[s[i].weight], 'sorted by weight');
  assert.equal(s[0].rule, 'catalogue.tor-random-cert-names');
  const keys = s.map((x) => `${x.rule} ${x.field}`);
  assert.equal(new Set(keys).size, keys.length, 'no duplicate (rule, field)');
  // The same field may be marked by two rules: the catalogue and the divergence view of it.
  assert.ok(find(s, 'catalogue.china-2011-tor-client-hello', 'clientHello.cipherSuites'));
  assert.ok(find(s, 'divergence.last-passed', 'clientHello.cipherSuites'));
  assertRangesInCapture(CAPTURES.torRelay, s);
  // Without an interference only the catalogue speaks.
  assert.ok(evaluateSuspects(c).every((x) => x.rule.startsWith('catalogue.')));
});
