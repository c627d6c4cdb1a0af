import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  MATCH_OPERATORS, REGEX_MAX_INPUT, RULE_KEYS, RULE_MESSAGES, USER_RULES_FILE, WEIGHTS,
  evaluateUserRules, loadUserRules, loadUserRulesFile, parseUserRules, regexRisk, userRulesPath, type UserRuleError,
} from '../../server/src/rules/userRules';
import { evaluateSuspects } from '../../server/src/rules';
import { parseFieldPath, isPathError } from '../../server/src/rules/fieldPath';
import { CAPTURES, ROOT, RULES_FIXTURES, assertRangesInCapture, bytesAt, cloneReport, connectionOf, find, ruleRef } from '../helpers/rulesHelpers';

const VALID = path.join(RULES_FIXTURES, 'user-rules-valid.json');
const ERRORS = path.join(RULES_FIXTURES, 'user-rules-errors.json');
const SCHEMA = path.join(ROOT, 'server/src/rules/rules.schema.json');

function errorAt(errors: UserRuleError[], line: number, column: number): UserRuleError {
  const e = errors.find((x) => x.line === line && x.column === column);
  assert.ok(e, `no error at ${line}:${column}; errors: ${JSON.stringify(errors.map((x) => `${x.line}:${x.column} ${x.message}`), null, 1)}`);
  return e;
}

test('the valid example file loads without errors', async () => {
  const { rules, errors } = await loadUserRulesFile(VALID);
  assert.deepEqual(errors, []);
  assert.deepEqual(rules.map((r) => r.id), ['dhe-aes128', 'reneg-info-in-server-hello', 'short-lived', 'tor-like-cn', 'few-suites', 'no-dh-prime', 'p224-offered', 'exact-group-order']);
  assert.equal(rules[0].ruleId, 'user.dhe-aes128');
  assert.equal(rules[0].message, 'ServerHello', 'derived from the field');
  assert.equal(rules[0].weight, 'high');
  assert.equal(rules[2].weight, 'medium', 'the default');
  assert.equal(rules[0].source.line, 3);
  assert.equal(rules[0].source.column, 4);
  assert.match(rules[2].reference, /no reference given/);
});

test('user rules on the Tor-2011-shaped capture: marks with ranges into the capture', async () => {
  const { rules } = await loadUserRulesFile(VALID);
  const c = await connectionOf(CAPTURES.tor2011);
  const s = evaluateUserRules(c, rules);

  const suite = find(s, 'user.dhe-aes128', 'serverHello.cipherSuite');
  assert.ok(suite);
  assert.equal(suite.weight, 'high');
  assert.equal(suite.message, 'ServerHello');
  assert.equal(ruleRef(suite, rules), 'lab notes, bridge test 7');
  assert.deepEqual([...bytesAt(CAPTURES.tor2011, suite.range)], [0x00, 0x33]);

  // An element test on a [*] path marks the matching element, with its own bytes.
  const reneg = s.filter((x) => x.rule === 'user.reneg-info-in-server-hello');
  assert.equal(reneg.length, 1);
  const ix = c.serverHello!.extensions.findIndex((e) => e.type === 0xff01);
  assert.equal(reneg[0].field, `serverHello.extensions[${ix}].type`);
  assert.deepEqual([...bytesAt(CAPTURES.tor2011, reneg[0].range)], [0xff, 0x01]);

  // Only the 2-hour link certificate, not the 1-year identity certificate.
  assert.deepEqual(s.filter((x) => x.rule === 'user.short-lived').map((x) => x.field), ['certificates[0].lifetimeSeconds']);
  assert.ok(find(s, 'user.tor-like-cn', 'certificates[0].subjectCN'), 'case-insensitive flag applied');
  assert.ok(find(s, 'user.few-suites', 'clientHello.cipherSuites'), 'the client offered 2 suites');
  assert.equal(find(s, 'user.no-dh-prime'), undefined, 'DHE: the prime exists');
  assert.equal(find(s, 'user.p224-offered'), undefined);
  assertRangesInCapture(CAPTURES.tor2011, s);
});

test('user rules on the real Tor relay capture', async () => {
  const { rules } = await loadUserRulesFile(VALID);
  const c = await connectionOf(CAPTURES.torRelay);
  const s = evaluateUserRules(c, rules);
  assert.equal(find(s, 'user.dhe-aes128'), undefined);
  assert.equal(find(s, 'user.short-lived'), undefined);
  assert.equal(find(s, 'user.few-suites'), undefined);
  assert.ok(find(s, 'user.tor-like-cn'));
  assert.ok(find(s, 'user.p224-offered', 'clientHello.supportedGroups'));
  assert.ok(find(s, 'user.exact-group-order', 'clientHello.supportedGroups'));
  // exists:false on an absent field: marked, located at the ServerKeyExchange message.
  const absent = find(s, 'user.no-dh-prime', 'serverKeyExchange.dhPrime');
  assert.ok(absent);
  assert.deepEqual(absent.range, c.messages.find((m) => m.name === 'ServerKeyExchange')?.range);
  assertRangesInCapture(CAPTURES.torRelay, s);

  // Through evaluateSuspects, user rules sort in with the catalogue.
  const all = evaluateSuspects(c, { userRules: rules });
  assert.ok(find(all, 'user.tor-like-cn') && find(all, 'catalogue.tor-random-cert-names'));
});

test('a changed group order no longer matches the list equality', async () => {
  const { rules } = await loadUserRulesFile(VALID);
  const c = cloneReport(await connectionOf(CAPTURES.torRelay));
  c.clientHello!.supportedGroups = [29, 23, 21];
  const s = evaluateUserRules(c, rules);
  assert.equal(find(s, 'user.exact-group-order'), undefined);
  assert.ok(find(s, 'user.p224-offered'));
});

test('errors carry the line and column (0-based) of the offending value, and good rules are kept', async () => {
  const text = fs.readFileSync(ERRORS, 'utf8');
  const lines = text.split('\n');
  const { rules, errors } = await loadUserRulesFile(ERRORS);
  const at = (line: number, column: number, token: string, message: RegExp) => {
    const e = errorAt(errors, line, column);
    assert.ok(lines[line].slice(column).startsWith(token), `${line}:${column} is not at ${token}`);
    assert.match(e.message, message);
  };
  at(5, 17, '"greaterThen"', /unknown operator "greaterThen" — did you mean "greaterThan"\?/);
  at(11, 26, '"([a-z"', /invalid regex/);
  at(17, 26, '"^(a+)+$"', /regex rejected: a repeated group contains a quantifier/);
  at(22, 28, 'cipherSuit"', /"cipherSuit" is not a field of serverHello — did you mean "cipherSuite"\?/);
  at(37, 16, '"critical"', /"weight" is "high", "medium" or "low"/);
  at(40, 12, '"kept"', /another rule already has the id "kept"/);
  at(47, 17, '"ClientHello"', /serverHello\.cipherSuite is in the ServerHello, not the ClientHello/);
  at(52, 4, '{', /the rule has no "explanation"/);
  at(60, 26, '"i"', /"flags" only goes with "regex"/);
  assert.equal(errors.length, 9, JSON.stringify(errors.map((e) => e.message)));
  assert.deepEqual(rules.map((r) => r.id), ['kept']);
  // End positions close the offending value.
  const w = errorAt(errors, 37, 16);
  assert.deepEqual([w.endLine, w.endColumn], [37, 16 + '"critical"'.length]);
});

test('syntax errors: position of the problem, CRLF lines, UTF-16 columns, BOM', () => {
  let r = parseUserRules('{\n  "rules": [\n    { "id": "a", },\n  ]\n}\n');
  assert.equal(r.rules.length, 0);
  assert.equal(r.errors.length, 1);
  assert.deepEqual([r.errors[0].line, r.errors[0].column], [2, 17]);
  assert.match(r.errors[0].message, /not valid JSON: trailing comma/);

  // CRLF line ends and a non-BMP character before the error (2 UTF-16 units, as LSP counts).
  r = parseUserRules('\ufeff{\r\n  "rules": [\r\n    { "id": "x", "field": "tls.cipherSuite", "match": { "equals": 1 }, "explanation": "😀 e", "weight": 3 }\r\n  ]\r\n}');
  assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
  assert.equal(r.errors[0].line, 2);
  const line2 = '    { "id": "x", "field": "tls.cipherSuite", "match": { "equals": 1 }, "explanation": "😀 e", "weight": 3 }';
  assert.equal(r.errors[0].column, line2.indexOf('3 }'));

  r = parseUserRules('{ "rules": [ { "id": \'x\' } ] }');
  assert.deepEqual([r.errors[0].line, r.errors[0].column], [0, 21]);
  assert.match(r.errors[0].message, /double quotes/);

  r = parseUserRules('{ "rules": [] } // done');
  assert.match(r.errors[0].message, /comments are not allowed/);
  assert.deepEqual([r.errors[0].line, r.errors[0].column], [0, 16]);

  r = parseUserRules('');
  assert.match(r.errors[0].message, /unexpected end of file/);
  r = parseUserRules('[]');
  assert.match(r.errors[0].message, /must hold an object/);
  r = parseUserRules('{ "rule": [] }');
  assert.deepEqual(r.errors.map((e) => e.message), ['unknown property "rule" (the file has "rules" and optionally "$schema")', 'no "rules" list']);
  r = parseUserRules('['.repeat(100000));
  assert.match(r.errors[0].message, /nested more than/);
});

test('loading never throws: a missing file is an error at 0:0', async () => {
  const r = await loadUserRulesFile(path.join(RULES_FIXTURES, 'no-such-rules.json'));
  assert.deepEqual(r.rules, []);
  assert.equal(r.errors.length, 1);
  assert.deepEqual([r.errors[0].line, r.errors[0].column], [0, 0]);
  assert.match(r.errors[0].message, /file not found/);
  const t = await loadUserRules({ text: fs.readFileSync(VALID, 'utf8'), path: 'unsaved.json' });
  assert.equal(t.rules.length, 8);
  assert.equal(t.rules[0].source.path, 'unsaved.json');
  assert.equal(userRulesPath('/ws'), path.join('/ws', '.handshake-inspector', 'rules.json'));
  assert.equal(USER_RULES_FILE, '.handshake-inspector/rules.json');
});

test('fields are checked against the report\'s shape', () => {
  const rule = (field: string) => parseUserRules(JSON.stringify({ rules: [{ id: 'r', field, match: { exists: true }, explanation: 'e' }] }));
  for (const ok of ['serverHello.cipherSuite', 'clientHello.extensions[*].type', 'clientHello.extensions[3].data', 'certificates[0].publicKey.bits',
    'certificates[*].subjectCN', 'serverKeyExchange.dhPrimeBits', 'fingerprints.ja3', 'tls.version', 'certificates']) {
    assert.deepEqual(rule(ok).errors, [], ok);
  }
  assert.match(rule('serverhello.cipherSuite').errors[0].message, /did you mean "serverHello"/);
  assert.match(rule('certificates.subject').errors[0].message, /certificates is a list/);
  assert.match(rule('certificates[0].subjekt').errors[0].message, /did you mean "subject"/);
  assert.match(rule('clientHello.extensions[0].tipe').errors[0].message, /did you mean "type"/);
  assert.match(rule('clientHello..cipherSuites').errors[0].message, /expected a field name/);
  assert.match(rule('messages[0]').errors[0].message, /not a field of a connection/);
  // The schema's field pattern agrees with the parser on these.
  const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8'));
  const pattern = new RegExp(schema.definitions.rule.properties.field.pattern);
  for (const p of ['serverHello.cipherSuite', 'clientHello.extensions[*].type', 'certificates[0].publicKey.bits', 'fingerprints.ja4']) {
    assert.ok(pattern.test(p) && !isPathError(parseFieldPath(p)), p);
  }
  for (const p of ['clientHello..x', 'x.y', 'serverHello.[0]', 'serverHello.cipherSuite.']) assert.ok(!pattern.test(p), p);
});

test('operators: hex numbers, notIn, notEquals on lists, length and exists', async () => {
  const c = await connectionOf(CAPTURES.dheAes256);
  const run = (field: string, match: unknown) => {
    const { rules, errors } = parseUserRules(JSON.stringify({ rules: [{ id: 'r', field, match, explanation: 'e' }] }));
    assert.deepEqual(errors, [], JSON.stringify(match));
    return evaluateUserRules(c, rules).map((s) => s.field);
  };
  assert.deepEqual(run('serverHello.cipherSuite', { equals: '0x0039' }), ['serverHello.cipherSuite']);
  assert.deepEqual(run('serverHello.cipherSuite', { equals: 57 }), ['serverHello.cipherSuite']);
  assert.deepEqual(run('serverHello.cipherSuite', { notEquals: '0x0039' }), []);
  assert.deepEqual(run('serverHello.cipherSuite', { greaterThan: '0x0038', lessThan: 58 }), ['serverHello.cipherSuite']);
  // Suites offered outside an allow-list: the one suite (0x0039) and the SCSV.
  assert.deepEqual(run('clientHello.cipherSuites', { notIn: ['0x0039'] }).length, c.clientHello!.cipherSuites.length - 1);
  assert.deepEqual(run('clientHello.cipherSuites', { notEquals: ['0x0039', '0x00ff'] }), []);
  assert.deepEqual(run('serverKeyExchange.dhPrimeBits', { lessThan: 2048 }), []);
  assert.deepEqual(run('serverKeyExchange.dhPrime', { lengthGreaterThan: 511 }), ['serverKeyExchange.dhPrime']);
  assert.deepEqual(run('serverKeyExchange.namedCurve', { exists: true }), []);
  assert.deepEqual(run('clientHello.serverName', { contains: 'fixture' }), ['clientHello.serverName']);
  assert.deepEqual(run('certificates[*].subjectCN', { regex: 'fixture' }), ['certificates[0].subjectCN']);
});

// The timeout, not a wall-clock assertion, catches a regex gone exponential (the machine may be busy).
test('regex guard: nested quantifiers and backreferences rejected, long values never tested', { timeout: 30_000 }, async (t) => {
  for (const bad of ['(a+)+', '(a*)*b', '(a|aa)+', '(?:x+y?)*', '(\\w+\\s?){2,}', '(a)\\1', '(?<n>a)\\k<n>', 'a*b*c*', 'x'.repeat(300)]) {
    assert.ok(regexRisk(bad), bad);
  }
  for (const good of ['^www\\.[a-z2-7]{8,20}\\.(net|com)$', '(ab)+', '[(+*)]+x', '\\(a+\\)+', '(?:net|com)$', 'a*b+', '(a+)?', '^[0-9a-f]{32}$']) {
    assert.equal(regexRisk(good), null, good);
  }
  const c = cloneReport(await connectionOf(CAPTURES.torRelay));
  c.certificates[0].subjectCN = 'a'.repeat(REGEX_MAX_INPUT + 1);
  const { rules } = parseUserRules(JSON.stringify({ rules: [{ id: 'r', field: 'certificates[0].subjectCN', match: { regex: '^a' }, explanation: 'e' }] }));
  assert.deepEqual(evaluateUserRules(c, rules), []);
  // The worst pattern still allowed, on the longest value still tried: well under a second on a laptop.
  c.certificates[0].subjectCN = 'a'.repeat(REGEX_MAX_INPUT);
  const slow = parseUserRules(JSON.stringify({ rules: [{ id: 'r', field: 'certificates[0].subjectCN', match: { regex: 'a*a*b' }, explanation: 'e' }] }));
  assert.deepEqual(slow.errors, []);
  const t0 = Date.now();
  assert.deepEqual(evaluateUserRules(c, slow.rules), []);
  t.diagnostic(`worst allowed pattern on the longest value: ${Date.now() - t0} ms`);
});

test('the JSON Schema lists exactly the operators, keys, messages and weights the loader accepts', () => {
  const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8'));
  const rule = schema.definitions.rule;
  assert.deepEqual(Object.keys(rule.properties).sort(), [...RULE_KEYS].sort());
  assert.deepEqual([...rule.required].sort(), ['explanation', 'field', 'id', 'match']);
  assert.deepEqual(rule.properties.message.enum, [...RULE_MESSAGES]);
  assert.deepEqual(rule.properties.weight.enum, [...WEIGHTS]);
  assert.deepEqual(Object.keys(schema.definitions.match.properties).sort(), [...MATCH_OPERATORS, 'flags'].sort());
  assert.equal(schema.additionalProperties, false);
  assert.equal(rule.additionalProperties, false);
});

test('prototype keys in a field path resolve to nothing', async () => {
  const c = await connectionOf(CAPTURES.torRelay);
  const { rules, errors } = parseUserRules(JSON.stringify({ rules: [
    { id: 'a', field: 'certificates[0].publicKey.constructor', match: { exists: true }, explanation: 'e' },
    { id: 'b', field: 'fingerprints.ja3.length', match: { exists: true }, explanation: 'e' },
  ] }));
  assert.deepEqual(errors, []);
  assert.deepEqual(evaluateUserRules(c, rules), []);
});
