/**
 * Before/after check of the capture time span (issue #12): runs the CLI of an
 * older build (OLD_ROOT, with its bin/ and dist/) and of this tree over every
 * capture in test/fixtures and samples (analyze --json --all --packets) and
 * every two-vantage pair (compare --json), and checks that the new output is
 * the old one plus `input.timeSpan` (in analyze, and in compare's client and
 * relay), nothing else. Pairs whose verdicts change on purpose are named in
 * EXPECTED_CHANGES and reported with what changed. Exit code 1 on any other
 * difference.
 *
 *   node scripts/timespan-before-after.mjs OLD_ROOT
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const NEW_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OLD_ROOT = process.argv[2];
if (!OLD_ROOT || !existsSync(join(OLD_ROOT, 'dist', 'cli.js'))) {
  process.stderr.write('usage: node scripts/timespan-before-after.mjs OLD_ROOT (a built checkout of the older commit)\n');
  process.exit(2);
}
/** The DTLS pair whose relay capture holds only ICMP: its connection becomes a drop once the time span is known. */
const EXPECTED_CHANGES = new Set(['test/fixtures/dtls/censor-tspu']);
const CAPTURE = /\.(pcap|pcapng|gz|txt|hexdump|cap|bin)$/;

function walk(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}
function run(root, args) {
  try {
    return { code: 0, out: execFileSync(process.execPath, [join(root, 'bin', 'handshake-inspector.js'), ...args], { cwd: NEW_ROOT, maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] }).toString() };
  } catch (e) {
    return { code: e.status, out: `${e.stdout}\n--stderr--\n${e.stderr}` };
  }
}
function withoutSpan(input) {
  if (!input || typeof input !== 'object') return { input, had: false };
  const { timeSpan, ...rest } = input;
  return { input: rest, had: timeSpan !== undefined && timeSpan.first <= timeSpan.last };
}
/** The new document with `timeSpan` taken out of every input summary, and how many it had. */
function strip(doc) {
  let spans = 0;
  const side = (a) => {
    if (!a) return a;
    const { input, had } = withoutSpan(a.input);
    if (had) spans++;
    return { ...a, input };
  };
  if ('pairs' in doc) return { doc: { ...doc, client: side(doc.client), relay: side(doc.relay) }, spans };
  return { doc: side(doc), spans };
}

const files = [...walk(join(NEW_ROOT, 'test', 'fixtures')), ...(existsSync(join(NEW_ROOT, 'samples')) ? walk(join(NEW_ROOT, 'samples')) : [])]
  .filter((f) => CAPTURE.test(f) && !f.endsWith('.tshark.json'));
const pairs = [...new Set(files.filter((f) => f.endsWith('/client.pcap') && existsSync(join(dirname(f), 'relay.pcap'))).map(dirname))];
let same = 0, spans = 0, bad = 0;
const changed = [];
function check(label, args, expectChange) {
  const a = run(OLD_ROOT, args);
  const b = run(NEW_ROOT, args);
  let equal = a.code === b.code;
  if (equal) {
    try {
      const s = strip(JSON.parse(b.out));
      spans += s.spans;
      equal = JSON.stringify(s.doc) === JSON.stringify(JSON.parse(a.out));
    } catch {
      equal = a.out === b.out;
    }
  }
  if (equal) same++;
  else if (expectChange) changed.push(label);
  else {
    bad++;
    process.stdout.write(`DIFFERS: ${label}\n`);
  }
}
for (const f of files) check(`analyze ${relative(NEW_ROOT, f)}`, ['analyze', f, '--json', '--all', '--packets'], false);
for (const d of pairs) {
  const rel = relative(NEW_ROOT, d);
  check(`compare ${rel}`, ['compare', join(d, 'client.pcap'), join(d, 'relay.pcap'), '--json'], EXPECTED_CHANGES.has(rel));
}
process.stdout.write(`${files.length} captures and ${pairs.length} pairs: ${same} outputs equal to the old one plus timeSpan (${spans} input summaries with one); `
  + `changed on purpose: ${changed.join(', ') || 'none'}; other differences: ${bad}\n`);
for (const e of EXPECTED_CHANGES) if (!changed.includes(`compare ${e}`)) { process.stdout.write(`expected a change in ${e}, found none\n`); bad++; }
process.exit(bad === 0 ? 0 : 1);
