/**
 * How decoded values read: numbers named from the IANA registries, hex cut
 * to a length a page can hold, lists joined. The field registry picks one of
 * these per field; a field without a descriptor gets `plainValue`.
 */
import { cipherSuiteName, sslv2CipherSpecName } from '../tls/registry/cipherSuites';
import { extensionName } from '../tls/registry/extensionTypes';
import { ecCurveTypeName, ecPointFormatName, namedGroupName } from '../tls/registry/namedGroups';
import { signatureSchemeName } from '../tls/registry/signatureSchemes';
import { versionName } from '../tls/registry/versions';

/** The IANA registries that name a field's numbers. */
export type NameRegistry = 'cipherSuite' | 'sslv2CipherSpec' | 'version' | 'namedGroup' | 'signatureScheme' | 'extensionType' | 'ecPointFormat' | 'ecCurveType';

export const NAMERS: Readonly<Record<NameRegistry, (n: number) => string>> = {
  cipherSuite: cipherSuiteName,
  sslv2CipherSpec: sslv2CipherSpecName,
  version: versionName,
  namedGroup: namedGroupName,
  signatureScheme: signatureSchemeName,
  extensionType: extensionName,
  ecPointFormat: ecPointFormatName,
  ecCurveType: ecCurveTypeName,
};

export function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

/** A registry number with its name: `TLS 1.2 (0x0303)`; one-byte code points read in decimal (`uncompressed (0)`). */
export function named(names: NameRegistry, n: number): string {
  const small = names === 'ecPointFormat' || names === 'ecCurveType';
  const name = NAMERS[names](n);
  const code = small ? String(n) : hex4(n);
  // Unassigned and GREASE values are named by their code already: "GREASE (0x0a0a)", not "GREASE (0x0a0a) (0x0a0a)".
  return name.endsWith(`(${code})`) ? name : `${name} (${code})`;
}

const MAX_HEX = 96;
const HEX = /^(?:[0-9a-f]{2})+$/;

/** Long hex (keys, primes) cut for the page; the JSON report has it whole. */
export function shortHex(h: string): string {
  if (h === '') return '(empty)';
  return h.length > MAX_HEX ? `${h.slice(0, MAX_HEX)}… (${h.length / 2} bytes)` : h;
}

/** A list as words; `(none)` when empty. */
export function list(xs: readonly string[]): string {
  return xs.length ? xs.join(', ') : '(none)';
}

/**
 * A value with nothing known about its field: numbers named when `names` is
 * given, text as is, hex cut, lists joined. Undefined and null (absent,
 * not applicable) read as null: the caller shows no value.
 */
export function plainValue(v: unknown, names?: NameRegistry): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return names ? named(names, v) : String(v);
  if (typeof v === 'string') return HEX.test(v) || v === '' ? shortHex(v) : v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'number')) return list(v.map((x: number) => (names ? NAMERS[names](x) : String(x))));
    if (v.every((x) => typeof x === 'string')) return list(v as string[]);
    if (v.every((x) => x !== null && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string')) return list(v.map((x: { name: string }) => x.name));
    return `${v.length} entries`;
  }
  if (typeof v === 'object') {
    const o = v as { name?: unknown; groupName?: unknown; length?: unknown };
    const size = typeof o.length === 'number' ? `, ${o.length} B` : '';
    if (typeof o.name === 'string') return `${o.name}${size}`;
    if (typeof o.groupName === 'string') return `${o.groupName}${size}`;
  }
  return null;
}
