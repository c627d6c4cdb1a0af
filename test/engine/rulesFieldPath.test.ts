import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fieldRange, formatFieldPath, getField, isPathError, messageOfField, parseFieldPath, resolveField } from '../../server/src/rules/fieldPath';
import { CAPTURES, bytesAt, connectionOf } from '../helpers/rulesHelpers';

test('parse and format round-trip; malformed paths report where', () => {
  for (const p of ['serverHello.cipherSuite', 'certificates[0].lifetimeSeconds', 'clientHello.extensions[*].type', 'a[1][2].b_c[*]']) {
    const segs = parseFieldPath(p);
    assert.ok(!isPathError(segs), p);
    assert.equal(formatFieldPath(segs), p);
  }
  for (const [p, at] of [['', 0], ['a.', 2], ['a..b', 2], ['a[x]', 1], ['.a', 0], ['a b', 1], ['1a', 0]] as const) {
    const r = parseFieldPath(p);
    assert.ok(isPathError(r), p);
    assert.equal(r.at, at, p);
  }
});

test('resolve on a real report: plain, indexed and wildcard paths', async () => {
  const c = await connectionOf(CAPTURES.torRelay);
  assert.equal(getField(c, 'serverHello.cipherSuite'), 0xc030);
  assert.equal(getField(c, 'certificates[0].subjectCN'), 'www.b3iya6yfytxok2q7o.net');
  assert.deepEqual(getField(c, 'serverHello.extensions[*].type'), [65281, 11, 23]);
  assert.deepEqual(resolveField(c, 'serverHello.extensions[*].type').map((r) => r.path),
    ['serverHello.extensions[0].type', 'serverHello.extensions[1].type', 'serverHello.extensions[2].type']);
  assert.equal(getField(c, 'certificates[5].subjectCN'), undefined);
  assert.equal(getField(c, 'serverHello.nothing'), undefined);
  assert.equal(getField(c, 'certificates[0].constructor'), undefined);
  assert.equal(getField(c, 'serverHello.__proto__'), undefined);
  assert.equal(getField(c, 'serverHello.cipherSuite.toString'), undefined);
});

test('ranges: own bytes, nearest enclosing field, certificate, message', async () => {
  const f = CAPTURES.torRelay;
  const c = await connectionOf(f);
  assert.deepEqual([...bytesAt(f, fieldRange(c, 'serverHello.cipherSuite'))], [0xc0, 0x30]);
  assert.deepEqual([...bytesAt(f, fieldRange(c, 'clientHello.cipherSuites[1]'))], [0x13, 0x03]);
  // No range of its own below the extension type: the type's bytes.
  assert.deepEqual([...bytesAt(f, fieldRange(c, 'serverHello.extensions[0].type'))], [0xff, 0x01]);
  assert.deepEqual(fieldRange(c, 'serverHello.extensions[*].type'), c.serverHello!.ranges!.extensions);
  // Empty session id: its length byte.
  assert.deepEqual([...bytesAt(f, fieldRange(c, 'serverHello.sessionId'))], [0x00]);
  assert.deepEqual(fieldRange(c, 'certificates[0].notAfter'), c.certificates[0].range);
  assert.deepEqual(fieldRange(c, 'tls.cipherSuite'), fieldRange(c, 'serverHello.cipherSuite'));
  assert.deepEqual(fieldRange(c, 'fingerprints.ja3'), c.messages.find((m) => m.name === 'ClientHello')!.range);
  assert.deepEqual(fieldRange(c, 'messages[4]'), c.messages[4].range);
  assert.deepEqual(fieldRange(c, 'nothing.here'), []);
});

test('the message a field lies in', () => {
  assert.equal(messageOfField('serverHello.cipherSuite'), 'ServerHello');
  assert.equal(messageOfField('certificates[1].issuer'), 'Certificate');
  assert.equal(messageOfField('serverKeyExchange.dhPrime'), 'ServerKeyExchange');
  assert.equal(messageOfField('fingerprints.ja3s'), 'ServerHello');
  assert.equal(messageOfField('fingerprints.ja4'), 'ClientHello');
  assert.equal(messageOfField('tls.serverName'), 'ClientHello');
  assert.equal(messageOfField('messages[0]'), null);
});
