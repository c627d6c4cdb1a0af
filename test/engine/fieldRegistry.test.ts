// The field registry on its own: every descriptor is a path the grammar
// parses, labels tell sibling fields apart, and every formatter answers
// (a string or nothing) for any value a hostile capture could put there.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPathError, parseFieldPath, patternOf } from '../../shared/fields/path';
import { FIELDS, fieldDescriptor, fieldLabel, formatField, messageOfField, RULE_ROOTS, ruleKeys, stepLabel, tableFields } from '../../shared/fields/registry';

const ROOTS = new Set(['clientHello', 'serverHello', 'serverKeyExchange', 'certificates', 'fingerprints', 'tls', 'messages']);

/** The path a descriptor's pattern names, with its last step removed: fields under the same parent. */
function parentOf(path: string): string {
  return path.replace(/(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\*\])$/, '');
}

describe('field registry', () => {
  it('has a descriptor for every field the surfaces used to name', () => {
    assert.ok(FIELDS.length > 100, `${FIELDS.length} descriptors`);
    for (const p of ['serverHello.cipherSuite', 'clientHello.cipherSuites', 'clientHello.extensions[*].type', 'certificates[*].subject', 'serverKeyExchange.dhPrime', 'fingerprints.ja4', 'tls.serverName', 'serverHello.extendedMasterSecret']) {
      assert.ok(fieldDescriptor(p), p);
    }
  });

  it('writes every descriptor path in the grammar rules use, from a root of a connection', () => {
    for (const d of FIELDS) {
      const segs = parseFieldPath(d.path);
      assert.ok(!isPathError(segs), `${d.path}: ${isPathError(segs) ? segs.error : ''}`);
      if (isPathError(segs)) continue;
      assert.equal(segs[0].kind, 'key');
      assert.ok(ROOTS.has((segs[0] as { name: string }).name), d.path);
      assert.equal(patternOf(d.path), d.path, `${d.path} is a pattern ([*], no fixed index)`);
      assert.equal(fieldDescriptor(d.path), d, `${d.path} finds itself`);
    }
  });

  it('lists each path once', () => {
    const seen = new Set<string>();
    for (const d of FIELDS) {
      assert.ok(!seen.has(d.path), `duplicate ${d.path}`);
      seen.add(d.path);
    }
  });

  it('gives fields under the same parent different labels', () => {
    // Range-only keys (`groupsList`) are the decoder's view of a report field (`groups`) and may share its label.
    const byParent = new Map<string, Map<string, string>>();
    for (const d of FIELDS) {
      const key = `${parentOf(d.path)}|${d.rangeOnly ? 'range' : 'report'}`;
      const labels = byParent.get(key) ?? new Map<string, string>();
      const other = labels.get(d.label);
      assert.equal(other, undefined, `"${d.label}" names both ${other} and ${d.path}`);
      labels.set(d.label, d.path);
      byParent.set(key, labels);
      assert.ok(d.label.trim().length > 0 && d.label === d.label.trim(), d.path);
    }
  });

  it('formats any value without throwing: a string or nothing', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    const values: unknown[] = [
      undefined, null, 0, 1, -1, 0.5, NaN, Infinity, 65535, 2 ** 53, '', 'abc', 'ab'.repeat(5000), '\u202e<script>', true, false,
      [], [1, 2, 3], ['a', 'b'], [{ name: 'x' }, { name: 'y' }], [null, {}, 'a', 1], {}, { name: 'server_name', length: 3 }, { groupName: 'x25519', length: 32 },
      { algorithm: 'RSA', bits: 2048 }, cyclic, Array.from({ length: 70000 }, (_, i) => i & 0xffff), Object.create(null),
    ];
    for (const d of FIELDS) {
      const concrete = d.path.replace(/\[\*\]/g, '[0]');
      for (const v of values) {
        for (const holder of [undefined, null, {}, { sessionId: 'ab', cipherSuites: [1], extensions: [{ length: 2 }], dhPrime: 'ff' }]) {
          let out: unknown;
          assert.doesNotThrow(() => { out = formatField(concrete, v, holder); }, `${d.path} with ${typeof v}`);
          assert.ok(out === null || typeof out === 'string', `${d.path} gave ${typeof out}`);
        }
      }
      assert.equal(typeof fieldLabel(concrete), 'string');
      assert.equal(typeof stepLabel(`${concrete}[3]`, { name: 'x' }), 'string');
    }
  });

  it('finds the same descriptor for a range key and for the report path through .data', () => {
    assert.equal(fieldDescriptor('clientHello.extensions[6].groups[2]'), fieldDescriptor('clientHello.extensions[*].data.groups[*]'));
    assert.equal(fieldDescriptor('serverHello.extensions[1].selected'), fieldDescriptor('serverHello.extensions[*].data.selected'));
    assert.equal(formatField('serverHello.extensions[1].selected', 0x0304), 'TLS 1.3 (0x0304)');
    assert.equal(formatField('clientHello.cipherSuites[4]', 0x1301), 'TLS_AES_128_GCM_SHA256 (0x1301)');
    assert.equal(formatField('clientHello.cipherSuites[0]', 0x0a0a), 'GREASE (0x0a0a)');
    assert.equal(formatField('clientHello.extensions[0].formats[0]', 0), 'uncompressed (0)');
    assert.equal(stepLabel('clientHello.extensions[2]', { name: 'supported_groups', length: 8 }), 'supported_groups');
    assert.equal(stepLabel('clientHello.cipherSuites[2]', 0x1301), '[2]');
    assert.equal(fieldDescriptor('clientHello.noSuchField'), undefined);
    assert.equal(fieldLabel('messages[3].ticketLifetimeHint'), 'ticket lifetime hint');
  });

  it('tells rules which keys exist, without the decoder-only range keys', () => {
    const sh = ruleKeys('serverHello');
    for (const k of ['cipherSuite', 'cipherSuiteName', 'selectedVersion', 'helloRetryRequest', 'downgradeSentinel', 'extendedMasterSecret']) assert.ok(sh.includes(k), k);
    assert.ok(!sh.includes('extensionsLength'));
    assert.deepEqual(ruleKeys('clientHello.extensions[*]').sort(), ['data', 'grease', 'length', 'name', 'raw', 'type']);
    assert.ok(ruleKeys('certificates[*]').includes('lifetimeSeconds'));
    assert.ok(ruleKeys('tls').includes('serverName'));
  });

  it('puts each field in its message', () => {
    assert.equal(messageOfField('serverHello.extendedMasterSecret'), 'ServerHello');
    assert.equal(messageOfField('fingerprints.ja4s'), 'ServerHello');
    assert.equal(messageOfField('fingerprints.ja4x'), 'Certificate');
    assert.equal(messageOfField('tls.serverName'), 'ClientHello');
    assert.equal(messageOfField('clientHello.extensions[2].data.anything'), 'ClientHello');
    assert.equal(messageOfField('certificates[1]'), 'Certificate');
    assert.equal(messageOfField('messages[2]'), null);
    for (const m of ['ClientHello', 'ServerHello', 'Certificate', 'ServerKeyExchange'] as const) {
      const rows = tableFields(m);
      assert.ok(rows.length > 0, m);
      for (const d of rows) assert.equal(d.message, m);
    }
  });

  it('agrees with the rules file schema VS Code validates against: the same roots, every rule field accepted', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'server', 'src', 'rules', 'rules.schema.json'), 'utf8')) as {
      definitions: { rule: { properties: { field: { pattern: string } } } };
    };
    const pattern = schema.definitions.rule.properties.field.pattern;
    assert.equal(/^\^\(([^)]*)\)/.exec(pattern)?.[1], RULE_ROOTS.join('|'));
    const re = new RegExp(pattern);
    let n = 0;
    for (const d of FIELDS) {
      if (d.rangeOnly || d.path.startsWith('messages')) continue;
      for (const p of [d.path, d.path.replace(/\[\*\]/g, '[0]')]) {
        assert.ok(re.test(p), `the schema refuses ${p}`);
        n++;
      }
    }
    assert.ok(n > 100);
    assert.ok(!re.test('messages[0].kex') && !re.test('clientHello..x'));
  });
});
