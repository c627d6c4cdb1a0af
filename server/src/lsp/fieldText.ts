/**
 * Names and values of decoded fields as the editor shows them: the report's
 * range keys (`cipherSuite`, `extensions[2].selected`) become wire-style
 * paths (`TLS › Handshake › ServerHello › cipher_suite`) and numbers get their
 * registry names. Shared by hovers on text dumps and the text dissection, so
 * both say the same thing about the same byte.
 */
import { getField } from '../rules/fieldPath';
import { cipherSuiteName } from '../../../shared/tls/registry/cipherSuites';
import { extensionName } from '../../../shared/tls/registry/extensionTypes';
import { contentTypeName } from '../../../shared/tls/registry/handshakeTypes';
import { ecCurveTypeName, ecPointFormatName, namedGroupName } from '../../../shared/tls/registry/namedGroups';
import { signatureSchemeName } from '../../../shared/tls/registry/signatureSchemes';
import { versionName } from '../../../shared/tls/registry/versions';
import { TokenType } from './tokenTypes';

export type HelloOwner = 'clientHello' | 'serverHello' | 'serverKeyExchange';

export const OWNER_MESSAGE: Record<HelloOwner, string> = {
  clientHello: 'ClientHello',
  serverHello: 'ServerHello',
  serverKeyExchange: 'ServerKeyExchange',
};

export function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

export function hexString(bytes: Uint8Array, max = 32, sep = ' '): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length && i < max; i++) parts.push(bytes[i].toString(16).padStart(2, '0'));
  return parts.join(sep) + (bytes.length > max ? ` … (${bytes.length} bytes)` : '');
}

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

const SEGMENT = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$/;

/**
 * `extensions[2].selected` of a ServerHello → ["extension supported_versions (#2)", "selected"].
 * Extension indexes name the extension, since "extensions[2]" alone says nothing.
 */
export function prettyKey(owner: unknown, key: string): string[] {
  const out: string[] = [];
  let prefix = '';
  for (const seg of key.split('.')) {
    const m = SEGMENT.exec(seg);
    prefix = prefix ? `${prefix}.${seg}` : seg;
    if (!m) {
      out.push(seg);
      continue;
    }
    const [, name, index] = m;
    if (name === 'extensions' && index !== undefined) {
      const ext = getField(owner, prefix) as { name?: string; type?: number } | undefined;
      const extName = ext?.name ?? (typeof ext?.type === 'number' ? extensionName(ext.type) : '?');
      out.push(`extension ${extName} (#${index})`);
    } else {
      out.push(index === undefined ? snake(name) : `${snake(name)}[${index}]`);
    }
  }
  return out;
}

/** The decoded value at a range key; extension sub-fields live under `.data` in the report. */
export function valueAt(owner: unknown, key: string): unknown {
  const direct = getField(owner, key);
  if (direct !== undefined) return direct;
  const m = /^(extensions\[\d+\])\.(.+)$/.exec(key);
  if (m) return getField(owner, `${m[1]}.data.${m[2]}`);
  return undefined;
}

function bigEndian(raw: Uint8Array | null): number | null {
  if (!raw || raw.length === 0 || raw.length > 6) return null;
  let n = 0;
  for (const b of raw) n = n * 256 + b;
  return n;
}

function isLengthKey(key: string): boolean {
  return /(?:Length|\.length)$/.test(key);
}

/** Semantic token of a decoded field, by what kind of thing it is. */
export function tokenForKey(key: string): TokenType | null {
  const last = key.split('.').pop() ?? key;
  if (isLengthKey(key)) return TokenType.number;
  if (/^cipherSuites?(\[\d+\])?$/.test(last) || /^sslv2CipherSpecs/.test(last)) return TokenType.enumMember;
  if (/[Vv]ersions?(\[\d+\])?$/.test(last) || last === 'selected') return TokenType.enum;
  if (/^(serverName|serverNames\[\d+\]|protocols\[\d+\]|alpn|hostName)$/.test(last)) return TokenType.string;
  if (/^extensions\[\d+\]$/.test(last) || /^type$/.test(last)) return TokenType.function;
  if (/^(random|sessionId|keyExchange|dhPrime|dhGenerator|dhPublic|ecPoint|rsaModulus|rsaExponent|signature|pskIdentityHint|srpSalt)$/.test(last)) return TokenType.regexp;
  if (/(Groups?|group|namedCurve|signatureAlgorithms?|compressionMethods?|ecPointFormats)(\[\d+\])?$/.test(last)) return TokenType.enumMember;
  return null;
}

function named(n: number, name: string): string {
  return name.startsWith('unknown') || name === String(n) ? `${hex4(n)} (${name})` : `${name} (${hex4(n)})`;
}

/** Display value of a decoded field; `raw` are its bytes when known (for lengths and fallbacks). */
export function formatValue(owner: unknown, key: string, raw: Uint8Array | null): string | null {
  const last = key.split('.').pop() ?? key;
  const v = valueAt(owner, key);
  if (isLengthKey(key)) {
    const n = typeof v === 'number' ? v : bigEndian(raw);
    return n === null ? null : `${n}`;
  }
  if (typeof v === 'number') {
    if (/^cipherSuites?(\[\d+\])?$/.test(last)) return named(v, cipherSuiteName(v));
    if (/[Vv]ersions?(\[\d+\])?$/.test(last) || last === 'selected' && /supported_versions|extensions/.test(key)) return named(v, versionName(v));
    if (/(Groups?|group|namedCurve)(\[\d+\])?$/.test(last)) return named(v, namedGroupName(v));
    if (/signatureAlgorithms?(\[\d+\])?$/.test(last) || last === 'signatureAlgorithm') return named(v, signatureSchemeName(v));
    if (/ecPointFormats\[\d+\]$/.test(last)) return `${ecPointFormatName(v)} (${v})`;
    if (last === 'curveType') return `${ecCurveTypeName(v)} (${v})`;
    if (last === 'type' && /^extensions\[\d+\]\.type$/.test(key)) return named(v, extensionName(v));
    return `${v} (0x${v.toString(16)})`;
  }
  if (typeof v === 'string') {
    if (/^[0-9a-f]*$/.test(v) && v.length % 2 === 0 && v.length > 0) {
      return v.length > 64 ? `${v.slice(0, 64)}… (${v.length / 2} bytes)` : v;
    }
    return JSON.stringify(v);
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const ext = v as { name?: string; type?: number; length?: number };
    if (/^extensions\[\d+\]$/.test(key) && typeof ext.type === 'number') return `${named(ext.type, ext.name ?? extensionName(ext.type))}, ${ext.length ?? '?'} bytes of data`;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return '(empty)';
    if (v.every((x) => typeof x === 'number')) {
      const f = (n: number) => (/cipherSuites$/.test(last) ? cipherSuiteName(n) : /[Vv]ersions$/.test(last) ? versionName(n) : /Groups$/.test(last) ? namedGroupName(n) : /signatureAlgorithms$/.test(last) ? signatureSchemeName(n) : String(n));
      const shown = v.slice(0, 8).map((n) => f(n as number)).join(', ');
      return `${v.length} entries: ${shown}${v.length > 8 ? ', …' : ''}`;
    }
    if (v.every((x) => typeof x === 'string')) return v.map((s) => JSON.stringify(s)).join(', ');
  }
  return raw && raw.length > 0 ? hexString(raw) : null;
}

export function recordHeaderValue(part: 'content_type' | 'version' | 'length', raw: Uint8Array | null): string | null {
  const n = bigEndian(raw);
  if (n === null) return null;
  if (part === 'content_type') return `${contentTypeName(n)} (${n})`;
  if (part === 'version') return named(n, versionName(n));
  return `${n}`;
}
