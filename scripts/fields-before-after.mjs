// What every field surface says about every fixture, for comparing two
// builds of the repository: `analyze --json`, the report tables (fieldGroups),
// the HTML and Markdown reports, the text dissection (what hovers show) and
// the webview's field tree. Run it in two checkouts and diff the folders:
//
//   node scripts/fields-before-after.mjs OUT_DIR [REPO_ROOT]
//   diff -r /tmp/before /tmp/after
//
// Bundles its probe with esbuild from REPO_ROOT (default: this repository),
// so it works on a tree whose modules have moved.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = resolve(process.argv[2] ?? 'fields-out');
const root = resolve(process.argv[3] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const exists = (p) => { try { statSync(join(root, p)); return true; } catch { return false; } };

// Module locations differ between the trees being compared.
const probe = `
import { analyzeFile } from './server/src/analysis/analyzeCapture';
import { renderDissection } from './server/src/lsp/dissection';
import { fieldGroups } from './server/src/report/fields';
import { renderHtml } from './server/src/report/html';
import { renderMarkdown } from './server/src/report/markdown';
import { buildTree, flatten } from './webview/src/fields';
export { analyzeFile, renderDissection, fieldGroups, renderHtml, renderMarkdown, buildTree, flatten };
`;
const bundle = join(out, 'probe.cjs');
mkdirSync(out, { recursive: true });
esbuild.buildSync({ stdin: { contents: probe, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'error' });
const m = createRequire(import.meta.url)(bundle);

const CAPTURE = /\.(pcap|pcapng|cap|txt|gz)$/;
function walk(dir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files.push(...walk(p));
    else if (CAPTURE.test(name)) files.push(p);
  }
  return files;
}
const inputs = ['test/fixtures', 'samples'].filter(exists).flatMap((d) => walk(join(root, d)));
const cli = join(root, 'bin', 'handshake-inspector.js');
const stamp = new Date('2026-01-01T00:00:00Z');
let n = 0;
for (const file of inputs) {
  const rel = relative(root, file);
  const dest = join(out, rel.replace(/\//g, '__'));
  const json = spawnSync(process.execPath, [cli, 'analyze', '--json', rel], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
  writeFileSync(`${dest}.json`, `${json.status}\n${json.stdout}${json.stderr}`);
  let report;
  try {
    report = await m.analyzeFile(file, { packets: true });
  } catch (e) {
    writeFileSync(`${dest}.error`, String(e));
    continue;
  }
  const lines = [];
  for (const c of report.connections) {
    lines.push(`## connection ${c.id}`);
    for (const g of m.fieldGroups([c])) {
      lines.push(`# ${g.title}`);
      for (const r of g.rows) lines.push(`${r.field}\t${r.label}\t${r.get(c)}`);
    }
    lines.push('# tree');
    for (const node of m.flatten(m.buildTree(c, 'c', []))) lines.push(`${'  '.repeat(node.depth)}${node.path}\t${node.label}\t${node.value}`);
  }
  writeFileSync(`${dest}.fields.txt`, lines.join('\n'));
  writeFileSync(`${dest}.dissection.txt`, m.renderDissection(report).text);
  const ctx = { annotations: [], generatedAt: stamp };
  writeFileSync(`${dest}.report.html`, m.renderHtml(report, ctx));
  writeFileSync(`${dest}.report.md`, m.renderMarkdown(report, ctx));
  n++;
}
process.stdout.write(`${n} of ${inputs.length} inputs written to ${out}\n`);
