/**
 * How often `catalogue.tor-random-cert-names` fires on certificates that are
 * not Tor's (issue #15): reads PEM or DER certificate files, decodes each
 * certificate with the engine's X.509 decoder and counts, per sample, the
 * certificates the rule marks now and the ones the earlier rule (either name
 * of the form alone) marked.
 *
 *   npx tsc -p tsconfig.test.json && node out/scripts/torCertNamesRate.js LABEL=FILE… [LABEL=FILE…]
 *
 * Certificates that appear in several files count once (by SHA-256).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeCertificate } from '../server/src/x509/certificate';
import { TOR_CERT_NAME, torLinkNames } from '../server/src/rules/catalogue';

function certificatesIn(path: string): Uint8Array[] {
  const bytes = readFileSync(path);
  const text = bytes.toString('latin1');
  const pem = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  if (pem.length > 0) return pem;
  return bytes[0] === 0x30 ? [bytes] : [];
}

const samples = new Map<string, { n: number; now: string[]; before: string[] }>();
const seen = new Set<string>();
for (const arg of process.argv.slice(2)) {
  const eq = arg.indexOf('=');
  const label = arg.slice(0, eq);
  const file = arg.slice(eq + 1);
  const s = samples.get(label) ?? { n: 0, now: [], before: [] };
  samples.set(label, s);
  for (const der of certificatesIn(file)) {
    const sha = createHash('sha256').update(der).digest('hex');
    if (seen.has(sha)) continue;
    seen.add(sha);
    const d = decodeCertificate(der);
    if (d.error !== undefined) continue;
    s.n++;
    const c = { subject: d.subject ?? '', issuer: d.issuer ?? '', subjectCN: d.subjectCN ?? null, issuerCN: d.issuerCN ?? null };
    const name = `${c.subject} / issuer ${c.issuer} (${file})`;
    if (torLinkNames(c)) s.now.push(name);
    if ((c.subjectCN !== null && TOR_CERT_NAME.test(c.subjectCN)) || (c.issuerCN !== null && TOR_CERT_NAME.test(c.issuerCN))) s.before.push(name);
  }
}
for (const [label, s] of samples) {
  process.stdout.write(`${label}: ${s.n} certificates; the rule fires on ${s.now.length} (before: ${s.before.length})\n`);
  for (const x of s.now) process.stdout.write(`  now:    ${x}\n`);
  for (const x of s.before) process.stdout.write(`  before: ${x}\n`);
}
