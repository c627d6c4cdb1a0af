// Schema 4 (issue #11): what `--json` leaves out unless --full is derivable.
// On every fixture, the compact form with shared/contractDerived.ts's
// withDerivedFields applied is the --full form, and the compact form is
// smaller wherever there was something to leave out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { connectionJson, WrittenCertificates, type JsonOptions } from '../../server/src/output/jsonContract';
import { withDerivedFields } from '../../shared/contractDerived';
import type { AnalysisReport, ConnectionReport } from '../../shared/analysis';
import { captureFilesUnder } from '../helpers/captureFixtures';
import { ROOT } from '../helpers/paths';

function written(r: AnalysisReport, opts: JsonOptions): ConnectionReport[] {
  const certs = new WrittenCertificates();
  return r.connections.map((c) => JSON.parse(connectionJson(c, opts, certs)) as ConnectionReport);
}

/** An empty `details` says nothing, and is not put back. */
function withoutEmptyDetails(c: ConnectionReport): ConnectionReport {
  return { ...c, messages: c.messages.map((m) => (m.details && Object.keys(m.details).length === 0 ? (({ details: _, ...rest }) => rest)(m) : m) as typeof m) };
}

test('--json without --full, with the derivable fields put back, is the --full output on every fixture', async () => {
  let connections = 0;
  let smaller = 0;
  for (const dir of ['test/fixtures', 'samples']) {
    for (const file of captureFilesUnder(join(ROOT, dir))) {
      let r: AnalysisReport;
      try {
        r = await analyzeFile(file, { tlsOnly: false });
      } catch {
        continue; // not a capture
      }
      for (const base of [{ ranges: false }, { ranges: true, names: true }] as JsonOptions[]) {
        const compact = written(r, base);
        const full = written(r, { ...base, full: true });
        compact.forEach((c, i) => {
          assert.deepStrictEqual(withDerivedFields(c), withoutEmptyDetails(full[i]), `${file} connection ${c.id} ${JSON.stringify(base)}`);
          if (JSON.stringify(c).length < JSON.stringify(full[i]).length) smaller++;
        });
        connections += compact.length;
      }
    }
  }
  assert.ok(connections >= 400, `only ${connections} connections`);
  assert.ok(smaller >= connections / 2, `only ${smaller} of ${connections} connections smaller without --full`);
});

test('a hello extension keeps its data when the hello field is empty or it is not the first of its type', async () => {
  // The real ClientHello of an OpenSSL client: supported_groups is written without data, the hello's field holds it.
  const r = await analyzeFile(join(ROOT, 'test', 'fixtures', 'handshakes', 'tls13.pcap'), {});
  const [c] = written(r, { ranges: false });
  const groups = c.clientHello!.extensions.find((e) => e.type === 10)!;
  assert.equal(groups.data, undefined);
  assert.ok(c.clientHello!.supportedGroups.length > 0);
  assert.ok(!('name' in groups), 'supported_groups is the registry name of 10');
  // A second supported_groups, and the hello's field emptied: both keep their data (a reader could not tell).
  const engine = r.connections[0];
  const ch = engine.clientHello!;
  const first = ch.extensions.find((e) => e.type === 10)!;
  const nameless = { groups: ch.supportedGroups };
  const twice = { ...engine, clientHello: { ...ch, extensions: [...ch.extensions, { ...first }] }, messages: [] };
  const [t] = JSON.parse(`[${connectionJson(twice, { ranges: false })}]`) as ConnectionReport[];
  const both = t.clientHello!.extensions.filter((e) => e.type === 10);
  assert.deepEqual([both[0].data, both[1].data], [undefined, nameless]);
  const empty = { ...engine, clientHello: { ...ch, supportedGroups: [] }, messages: [] };
  const [u] = JSON.parse(`[${connectionJson(empty, { ranges: false })}]`) as ConnectionReport[];
  assert.deepEqual(u.clientHello!.extensions.find((e) => e.type === 10)!.data, nameless);
  assert.deepStrictEqual(withDerivedFields(u).clientHello!.extensions.find((e) => e.type === 10)!.data, nameless);
});
