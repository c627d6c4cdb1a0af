/**
 * A bounded reading of a certificate the full X.509 decoder refused (the
 * ASN.1 library stops at 10,000 nodes; a certificate with 10,000 subject
 * alternative names has more). Walks only the TBSCertificate's top-level
 * fields with a cursor over the DER, never building a node per element:
 * serial, issuer, validity, subject, key algorithm, and the SAN extension,
 * whose names are counted (and the first ones listed) however many there are.
 */
import { PUBLIC_KEY_ALGORITHMS } from './oids';

/** SANs listed from a certificate read this way; the rest are counted. */
export const PARTIAL_SAN_LIMIT = 100;

export interface PartialCertificate {
  serialNumber: string;
  issuer: string;
  subject: string;
  subjectCN: string | null;
  issuerCN: string | null;
  notBefore: string | null;
  notAfter: string | null;
  publicKeyAlgorithm: string | null;
  /** The key algorithm's OID as read (publicKeyAlgorithm names it when known). */
  publicKeyOid: string | null;
  subjectAltNames: string[];
  subjectAltNameCount: number;
}

interface Tlv { tag: number; start: number; end: number; next: number }

function tlv(b: Uint8Array, p: number, limit: number): Tlv | null {
  if (p + 2 > limit) return null;
  const tag = b[p];
  let len = b[p + 1];
  let q = p + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || q + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[q + i];
    q += n;
  }
  if (q + len > limit) return null;
  return { tag, start: q, end: q + len, next: q + len };
}

function children(b: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = t.start; p < t.end && out.length < 64;) {
    const c = tlv(b, p, t.end);
    if (!c) break;
    out.push(c);
    p = c.next;
  }
  return out;
}

function oid(b: Uint8Array, s: number, e: number): string {
  if (e <= s) return '';
  const parts = [Math.floor(b[s] / 40), b[s] % 40];
  let v = 0;
  for (let i = s + 1; i < e; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (!(b[i] & 0x80)) { parts.push(v); v = 0; }
  }
  return parts.join('.');
}

const NAME_ATTRS: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.5': 'serialNumber', '1.2.840.113549.1.9.1': 'E',
};

/** Printable text of a string value: control characters escaped (the sender chose these bytes). */
function text(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e && i < s + 256; i++) {
    const c = b[i];
    out += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function name(b: Uint8Array, t: Tlv): { text: string; cn: string | null } {
  const parts: string[] = [];
  let cn: string | null = null;
  for (const rdn of children(b, t)) {
    for (const atv of children(b, rdn)) {
      const [type, value] = children(b, atv);
      if (!type || !value) continue;
      const o = oid(b, type.start, type.end);
      const v = text(b, value.start, value.end);
      const key = NAME_ATTRS[o] ?? o;
      if (key === 'CN') cn = v;
      parts.push(`${key}=${v.replace(/([,+"\\<>;])/g, '\\$1')}`);
    }
  }
  return { text: parts.join(', '), cn };
}

function time(b: Uint8Array, t: Tlv): string | null {
  const s = text(b, t.start, t.end);
  const m = t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return null;
  const year = t.tag === 0x17 ? (Number(m[1]) >= 50 ? 1900 : 2000) + Number(m[1]) : Number(m[1]);
  const d = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

const SAN_OID = '2.5.29.17';

/** The SAN extension's GeneralNames: counted to the end, the first PARTIAL_SAN_LIMIT shown. */
function sans(b: Uint8Array, extensions: Tlv): { list: string[]; count: number } {
  const list: string[] = [];
  let count = 0;
  for (let p = extensions.start; p < extensions.end;) {
    const ext = tlv(b, p, extensions.end);
    if (!ext) break;
    p = ext.next;
    const parts = children(b, ext);
    if (parts.length < 2 || oid(b, parts[0].start, parts[0].end) !== SAN_OID) continue;
    const octets = parts[parts.length - 1];
    const seq = tlv(b, octets.start, octets.end);
    if (!seq) break;
    for (let q = seq.start; q < seq.end;) {
      const gn = tlv(b, q, seq.end);
      if (!gn) break;
      q = gn.next;
      count++;
      if (list.length >= PARTIAL_SAN_LIMIT) continue;
      const kind = gn.tag & 0x1f;
      if (kind === 2) list.push(`DNS:${text(b, gn.start, gn.end)}`);
      else if (kind === 1) list.push(`email:${text(b, gn.start, gn.end)}`);
      else if (kind === 6) list.push(`URI:${text(b, gn.start, gn.end)}`);
      else if (kind === 7 && gn.end - gn.start === 4) list.push(`IP:${b[gn.start]}.${b[gn.start + 1]}.${b[gn.start + 2]}.${b[gn.start + 3]}`);
      else list.push(`[${kind}]`);
    }
  }
  return { list, count };
}

/** What can be read of a certificate without a full decode; null when not even its TBSCertificate frames. */
export function partialCertificate(der: Uint8Array): PartialCertificate | null {
  const cert = tlv(der, 0, der.length);
  if (!cert || cert.tag !== 0x30) return null;
  const tbs = tlv(der, cert.start, cert.end);
  if (!tbs || tbs.tag !== 0x30) return null;
  const f = children(der, tbs);
  let i = f[0]?.tag === 0xa0 ? 1 : 0;
  const serial = f[i++], _sig = f[i++], issuer = f[i++], validity = f[i++], subject = f[i++], spki = f[i++];
  void _sig;
  if (!serial || !issuer || !validity || !subject || !spki) return null;
  let serialHex = '';
  // The sign octet DER puts before a high first byte is not part of the number (as the full decoder shows it).
  let k0 = serial.start;
  while (k0 + 1 < serial.end && der[k0] === 0) k0++;
  for (let k = k0; k < serial.end; k++) serialHex += der[k].toString(16).padStart(2, '0');
  const [nb, na] = children(der, validity);
  const alg = children(der, spki)[0];
  const algOid = alg ? oid(der, children(der, alg)[0]?.start ?? 0, children(der, alg)[0]?.end ?? 0) : '';
  let san = { list: [] as string[], count: 0 };
  for (; i < f.length; i++) {
    if (f[i].tag !== 0xa3) continue;
    const exts = tlv(der, f[i].start, f[i].end);
    if (exts) san = sans(der, exts);
  }
  const iss = name(der, issuer), sub = name(der, subject);
  return {
    serialNumber: serialHex, issuer: iss.text, issuerCN: iss.cn, subject: sub.text, subjectCN: sub.cn,
    notBefore: nb ? time(der, nb) : null, notAfter: na ? time(der, na) : null,
    publicKeyAlgorithm: algOid ? PUBLIC_KEY_ALGORITHMS[algOid] ?? algOid : null,
    publicKeyOid: algOid ?? null,
    subjectAltNames: san.list, subjectAltNameCount: san.count,
  };
}
