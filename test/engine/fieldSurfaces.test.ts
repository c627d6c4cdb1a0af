// One field, one name and one value on every surface: the reports' tables,
// the webview's field tree, the text dissection (what its hovers show) and
// user rules, on real captures (test/fixtures/handshakes/make.sh), all agree
// with the field registry. The ServerHello's extendedMasterSecret, added
// through the decoder and the registry only, is checked against tshark's
// dissection of the same files.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { renderDissection, type DissectionLine } from '../../server/src/lsp/dissection';
import { fieldGroups } from '../../server/src/report/fields';
import { evaluateUserRules, parseUserRules } from '../../server/src/rules/userRules';
import type { AnalysisReport, ConnectionReport } from '../../shared/analysis';
import { getField } from '../../shared/fields/path';
import { lookupField } from '../../shared/report/model';
import { fieldLabel, formatField, messageOfField, stepLabel } from '../../shared/fields/registry';
import { buildTree, flatten } from '../../webview/src/fields';

const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'handshakes');

/** Paths sampled across messages and kinds of value (registry numbers, lists, text, bytes, booleans, certificates). */
const SAMPLE = [
  'clientHello.legacyVersion', 'clientHello.cipherSuites', 'clientHello.supportedGroups', 'clientHello.serverName', 'clientHello.random',
  'serverHello.cipherSuite', 'serverHello.legacyVersion', 'serverHello.selectedVersion', 'serverHello.extendedMasterSecret', 'serverHello.compressionMethod',
  'serverKeyExchange.namedCurve', 'serverKeyExchange.signatureAlgorithm', 'certificates[0].subject', 'certificates[0].notAfter', 'certificates[1].issuer',
];

interface Shown { label: string; value: string | null }

function inReport(c: ConnectionReport, path: string): Shown | null {
  for (const g of fieldGroups([c])) for (const r of g.rows) if (r.field === path) return { label: r.label, value: r.get(c) };
  return null;
}

function inTree(c: ConnectionReport, path: string): Shown | null {
  const node = flatten(buildTree(c, 't', [])).find((n) => n.path === path);
  return node ? { label: node.label, value: node.value } : null;
}

function inDissection(lines: Array<DissectionLine | null>, c: ConnectionReport, path: string): Shown | null {
  const message = messageOfField(path);
  const cert = /^certificates\[(\d+)\]/.exec(path);
  const label = fieldLabel(path);
  const line = lines.find((l) => l !== null && l.connection === c.id && l.path[2] === message && l.path[l.path.length - 1] === label
    && (cert ? l.path[3] === stepLabel(`certificates[${cert[1]}]`, c.certificates[Number(cert[1])]) : l.path.length === 4));
  return line ? { label: line.path[line.path.length - 1], value: line.value } : null;
}

function inRule(c: ConnectionReport, path: string): { value: string; message: string | undefined } | null {
  const parsed = parseUserRules(JSON.stringify({ rules: [{ id: 'probe', field: path, match: { exists: true }, explanation: 'probe' }] }));
  assert.deepEqual(parsed.errors, [], `a rule may name ${path}`);
  const hits = evaluateUserRules(c, parsed.rules);
  return hits.length ? { value: hits[0].value ?? '', message: hits[0].message } : null;
}

describe('one field model across surfaces', () => {
  const reports = new Map<string, AnalysisReport>();
  const FILES = ['tls12-chain.pcap', 'tls13.pcap', 'tls12-dhe-rsa.pcap', 'tls13-hrr.pcap'];
  before(async () => {
    for (const f of FILES) reports.set(f, await analyzeFile(join(DIR, f), { packets: true }));
  });

  it('the report (tables and notes), the webview tree, the dissection and user rules give a field the registry\'s label and value', () => {
    let checked = 0;
    for (const [file, report] of reports) {
      const { lines } = renderDissection(report);
      for (const c of report.connections) {
        for (const path of SAMPLE) {
          const raw = getField(c, path);
          if (raw === undefined) continue;
          const label = fieldLabel(path);
          const value = formatField(path, raw, c);
          const where = `${file} connection ${c.id} ${path}`;
          const report = inReport(c, path);
          assert.ok(report, `${where}: in the report`);
          assert.deepEqual(report, { label, value }, `${where}: report`);
          // Notes on a field and suspects without a value of their own take it from the report model.
          if (value !== null) assert.equal(lookupField(c, path)?.value, value, `${where}: report note value`);
          const rule = inRule(c, path);
          assert.ok(rule, `${where}: a rule marks it`);
          // Suspects keep at most 300 characters of a value.
          if (value !== null) assert.equal(rule.value, value.length > 300 ? `${value.slice(0, 300)}…` : value, `${where}: rule`);
          assert.equal(rule.message, messageOfField(path), `${where}: rule message`);
          // The tree and the dissection show the fields the decoder located (certificates: all their fields).
          const located = path.startsWith('certificates') || Object.prototype.hasOwnProperty.call((c as unknown as Record<string, { ranges: object }>)[path.split('.')[0]].ranges, path.split('.')[1]);
          if (!located || value === null) continue;
          assert.deepEqual(inTree(c, path), { label, value }, `${where}: webview tree`);
          assert.deepEqual(inDissection(lines, c, path), { label, value }, `${where}: dissection`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 40, `${checked} field/surface checks`);
  });

  it('shows the ServerHello\'s extended_master_secret where tshark sees it, on every surface', () => {
    const c = reports.get('tls12-chain.pcap')!.connections[0];
    assert.equal(c.serverHello?.extendedMasterSecret, true);
    assert.deepEqual(inReport(c, 'serverHello.extendedMasterSecret'), { label: 'extended master secret', value: 'yes' });
    assert.deepEqual(inTree(c, 'serverHello.extendedMasterSecret'), { label: 'extended master secret', value: 'yes' });
    assert.deepEqual(inDissection(renderDissection(reports.get('tls12-chain.pcap')!).lines, c, 'serverHello.extendedMasterSecret'), { label: 'extended master secret', value: 'yes' });
    assert.deepEqual(inRule(c, 'serverHello.extendedMasterSecret'), { value: 'yes', message: 'ServerHello' });
    // TLS 1.3 has no extended master secret: present as a field, "no" in words, and no bytes to show in the tree.
    const t13 = reports.get('tls13.pcap')!.connections[0];
    assert.equal(t13.serverHello?.extendedMasterSecret, false);
    assert.deepEqual(inReport(t13, 'serverHello.extendedMasterSecret'), { label: 'extended master secret', value: 'no' });
    assert.equal(inTree(t13, 'serverHello.extendedMasterSecret'), null);
  });

  it('agrees with tshark on extended_master_secret in every ServerHello of the fixtures', async () => {
    let seen = 0;
    for (const file of readdirSync(DIR).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort()) {
      const expected = tsharkServerHelloEms(JSON.parse(readFileSync(join(DIR, file.replace(/\.(pcap|pcapng)$/, '.tshark.json')), 'utf8')));
      const report = await analyzeFile(join(DIR, file));
      const got = report.connections.flatMap((c) => c.messages.filter((m) => m.serverHello && !m.serverHello.helloRetryRequest).map((m) => m.serverHello!.extendedMasterSecret));
      assert.deepEqual(got, expected, file);
      seen += got.length;
    }
    assert.ok(seen >= 15, `${seen} ServerHellos`);
  });
});

/** For each ServerHello (not HelloRetryRequest) tshark decoded, in file order: does it carry extension 23? */
function tsharkServerHelloEms(frames: unknown): boolean[] {
  const out: boolean[] = [];
  const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (o['tls.handshake.type'] === '2') {
      const random = String(o['tls.handshake.random'] ?? '').replace(/:/g, '');
      if (random !== HRR_RANDOM) {
        out.push(Object.entries(o).some(([k, e]) => k.startsWith('Extension: ') && (e as Record<string, unknown>)['tls.handshake.extension.type'] === '23'));
      }
      return;
    }
    Object.values(o).forEach(walk);
  };
  walk(frames);
  return out;
}
