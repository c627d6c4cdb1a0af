// The --json contract against its JSON Schema (shared/contract.schema.json):
// the schema is what the TypeScript types say, and the real output of every
// fixture validates against it, with and without --ranges and --packets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { failedRunTail } from '../../server/src/cli/main';
import { compareCaptures } from '../../server/src/compare/compareCaptures';
import { compareJson, connectionJson, finiteReplacer, WrittenCertificates, type JsonOptions } from '../../server/src/output/jsonContract';
import { CONTRACT_SCHEMA, type AnalysisReport } from '../../shared/analysis';
import { captureFilesUnder } from '../helpers/captureFixtures';
import { ROOT } from '../helpers/paths';

const BIN = join(ROOT, 'bin', 'handshake-inspector.js');
const TV = join(ROOT, 'test', 'fixtures', 'two-vantage');
const SCHEMA_FILE = join(ROOT, 'shared', 'contract.schema.json');

function validator(): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: false, strict: true });
  return ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
}

function check(validate: ValidateFunction, json: unknown, what: string): void {
  if (!validate(json)) {
    const e = validate.errors!.slice(0, 3).map((x) => `${x.instancePath} ${x.message} ${JSON.stringify(x.params)}`).join('; ');
    assert.fail(`${what}: ${e}`);
  }
}

/** The document `analyze --json` writes, built as the CLI builds it (cli.test.ts checks the CLI's own framing). */
function analysisJson(r: AnalysisReport, opts: JsonOptions): unknown {
  const written = new WrittenCertificates();
  return JSON.parse(
    `{"schema":${CONTRACT_SCHEMA},"tool":${JSON.stringify(r.tool)},\n"connections":[${r.connections.map((c) => connectionJson(c, opts, written)).join(',\n')}],` +
    `\n"input":${JSON.stringify(r.input, finiteReplacer)},\n"diagnostics":${JSON.stringify(r.diagnostics, finiteReplacer)}}`,
  );
}

test('the committed schema is the one generated from the TypeScript types in shared/', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'contract-schema.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('a run that fails after connections were written: the closed document, input null, validates; with an input it does not', async () => {
  const validate = validator();
  const r = await analyzeFile(join(TV, 'openssl-pass', 'client.pcap'), {});
  assert.ok(r.connections.length > 0);
  const written = new WrittenCertificates();
  const head = `{"schema":${CONTRACT_SCHEMA},"tool":${JSON.stringify(r.tool)},\n"connections":[`;
  for (const shown of [0, r.connections.length]) {
    const body = r.connections.slice(0, shown).map((c) => connectionJson(c, { ranges: false }, written)).join(',\n');
    const doc = JSON.parse(head + (shown > 0 ? `\n${body}` : '') + failedRunTail(new Error('EIO: i/o error, read\nsecond line'), shown)) as Record<string, unknown>;
    check(validate, doc, `failed after ${shown} connections`);
    assert.equal(doc.input, null);
    assert.deepEqual(doc.diagnostics, [{ severity: 'error', code: 'run.failed', location: null, message: 'EIO: i/o error, read' }]);
    assert.equal(validate({ ...doc, input: { path: 'x' } }), false, 'an input that is neither null nor complete');
  }
});

test('the schema rejects what the types do not allow', async () => {
  const validate = validator();
  const r = await analyzeFile(join(ROOT, 'test', 'fixtures', 'two-vantage', 'openssl-pass', 'client.pcap'), {});
  const good = analysisJson(r, { ranges: false }) as { connections: Array<Record<string, unknown> & { clientHello: { extensions: Array<Record<string, unknown>> } }> };
  check(validate, good, 'as written');
  const conn = good.connections[0];
  const variants: Array<[string, (j: typeof good) => void]> = [
    ['a field the contract lacks', (j) => { j.connections[0].surprise = 1; }],
    ['a missing required field', (j) => { delete j.connections[0].fingerprints; }],
    ['a wrong schema version', (j) => { (j as unknown as { schema: number }).schema = 1; }],
    ['extension data of another extension\'s shape', (j) => {
      const sni = j.connections[0].clientHello.extensions.find((e) => e.type === 0)!;
      sni.data = { protocols: ['h2'] };
    }],
    ['data on an extension the engine does not decode', (j) => { j.connections[0].clientHello.extensions.push({ type: 0x4242, name: 'x', grease: false, length: 0, data: {} }); }],
  ];
  assert.ok(conn.clientHello.extensions.some((e) => e.type === 0), 'the fixture has a server_name to tamper with');
  for (const [what, spoil] of variants) {
    const j = JSON.parse(JSON.stringify(good)) as typeof good;
    spoil(j);
    assert.equal(validate(j), false, `the schema should reject ${what}`);
  }
});

test('the schema takes certificate references and the compact name lists, and rejects malformed ones', async () => {
  const validate = validator();
  // Four openssl handshakes on loopback; the first and the last get the same certificate.
  const r = await analyzeFile(join(ROOT, 'test', 'fixtures', 'ja4-reference', 'local-openssl.pcap'), {});
  type Doc = { connections: Array<{ certificates: Array<Record<string, unknown>>; clientHello: { extensions: Array<{ type: number; data: Record<string, unknown> }> } }> };
  for (const ranges of [false, true]) {
    const good = analysisJson(r, { ranges }) as Doc;
    const ref = good.connections[3].certificates[0];
    assert.equal(ref.sameAs, 0, 'the fixture repeats a certificate');
    assert.equal('range' in ref, ranges);
    const share = good.connections[1].clientHello.extensions.find((e) => e.type === 51)!.data.shares as Array<Record<string, unknown>>;
    assert.ok(share.length > 0 && !('groupName' in share[0]));
    check(validate, good, `as written${ranges ? ' with --ranges' : ''}`);
    const spoils: Array<[string, (j: Doc) => void]> = [
      ['a reference without sameAs', (j) => { delete j.connections[3].certificates[0].sameAs; }],
      ['a reference with a field of its own', (j) => { j.connections[3].certificates[0].subject = 'CN=x'; }],
      // The hello's supportedGroups holds its data (schema 4): written here to spoil it.
      ['a name list of the wrong type', (j) => { j.connections[1].clientHello.extensions.find((e) => e.type === 10)!.data = { groups: [29], groupNames: [29] }; }],
      ['an extension name that is not a string', (j) => { (j.connections[1].clientHello.extensions[0] as Record<string, unknown>).name = 0; }],
    ];
    for (const [what, spoil] of spoils) {
      const j = JSON.parse(JSON.stringify(good)) as Doc;
      spoil(j);
      assert.equal(validate(j), false, `the schema should reject ${what}`);
    }
  }
});

// The compact default, each kept part on its own, and everything kept.
const OPTION_SETS: JsonOptions[] = [
  { ranges: false }, { ranges: true }, { ranges: false, names: true, rawFingerprints: true }, { ranges: true, names: true, allCertificates: true, rawFingerprints: true, full: true },
];

test('analyze output of every fixture validates, with and without --ranges, --names, --all-certificates, --raw-fingerprints and --packets', async () => {
  const validate = validator();
  let analysed = 0;
  let connections = 0;
  for (const dir of ['test/fixtures', 'samples']) {
    for (const file of captureFilesUnder(join(ROOT, dir))) {
      for (const packets of [false, true]) {
        let r: AnalysisReport;
        try {
          r = await analyzeFile(file, { packets, tlsOnly: false });
        } catch {
          break; // not a capture (the CLI says so and exits 1): nothing to validate
        }
        if (!packets) {
          analysed++;
          connections += r.connections.length;
        }
        for (const opts of OPTION_SETS) check(validate, analysisJson(r, opts), `${file}${packets ? ' --packets' : ''} ${JSON.stringify(opts)}`);
      }
    }
  }
  // Most fixtures are captures; a walk that found few of them would prove little.
  assert.ok(analysed >= 150, `only ${analysed} captures analysed`);
  assert.ok(connections >= 200, `only ${connections} connections`);
});

test('compare output of every two-vantage fixture validates, with and without --ranges, --names, --all-certificates, --raw-fingerprints', async () => {
  const validate = validator();
  const pairs = readdirSync(TV).filter((d) => statSync(join(TV, d)).isDirectory());
  assert.ok(pairs.length >= 6);
  for (const d of pairs) {
    const r = await compareCaptures(join(TV, d, 'client.pcap'), join(TV, d, 'relay.pcap'), {});
    assert.ok(r.pairs.length > 0, `${d}: no pair`);
    for (const opts of OPTION_SETS) check(validate, JSON.parse(compareJson(r, opts)), `compare ${d} ${JSON.stringify(opts)}`);
    const single = await compareCaptures(join(TV, d, 'client.pcap'), null, {});
    check(validate, JSON.parse(compareJson(single, { ranges: false })), `compare ${d}/client.pcap alone`);
  }
});

test('the CLI\'s own --json documents validate (analyze streams its framing by hand)', () => {
  const validate = validator();
  const runs: string[][] = [
    ['analyze', join(TV, 'openssl-pass', 'client.pcap'), '--json'],
    ['analyze', join(TV, 'openssl-pass', 'client.tcpdump-X.txt'), '--json', '--ranges', '--packets', '--all'],
    ['analyze', join(ROOT, 'test', 'fixtures', 'handshakes', 'tls13-hrr.pcap'), '--json', '--ranges'],
    ['analyze', join(ROOT, 'test', 'fixtures', 'ja4-reference', 'local-openssl.pcap'), '--json'],
    ['analyze', join(ROOT, 'test', 'fixtures', 'ja4-reference', 'tls-handshake.pcapng'), '--json', '--names', '--all-certificates', '--raw-fingerprints'],
    ['compare', join(TV, 'openssl-rst-injected', 'client.pcap'), join(TV, 'openssl-rst-injected', 'relay.pcap'), '--json', '--ranges'],
  ];
  for (const args of runs) {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    const j = JSON.parse(r.stdout) as { schema: number };
    assert.equal(j.schema, CONTRACT_SCHEMA);
    check(validate, j, args.join(' '));
  }
});
