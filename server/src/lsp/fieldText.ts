/**
 * Names and values of decoded fields as the editor shows them: the report's
 * range keys (`cipherSuite`, `extensions[2].selected`) become paths of the
 * field registry's labels (`TLS › Handshake › ServerHello › cipher suite`) and
 * values read as the registry says, as in the reports and the webview.
 * Shared by hovers on text dumps and the text dissection, so both say the
 * same thing about the same byte.
 */
import { isPathError, parseFieldPath, valueAtKey } from '../../../shared/fields/path';
import { formatField, stepLabel } from '../../../shared/fields/registry';
import { contentTypeName } from '../../../shared/tls/registry/handshakeTypes';
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

/**
 * `extensions[2].selected` of a ServerHello → ["extensions (wire order)",
 * "supported_versions", "selected version"]: one step per field and per list
 * element, named as the webview's tree names them.
 */
export function prettyKey(root: HelloOwner, owner: unknown, key: string): string[] {
  const segs = parseFieldPath(key);
  if (isPathError(segs)) return [key];
  let prefix = '';
  return segs.map((s) => {
    prefix += s.kind === 'key' ? (prefix ? `.${s.name}` : s.name) : s.kind === 'index' ? `[${s.index}]` : '[*]';
    return stepLabel(`${root}.${prefix}`, valueAtKey(owner, prefix));
  });
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

/** Display value of a decoded field; `raw` are its bytes when known (for what the report does not keep). */
export function formatValue(root: HelloOwner, owner: unknown, key: string, raw: Uint8Array | null): string | null {
  const shown = formatField(`${root}.${key}`, valueAtKey(owner, key), owner);
  if (shown !== null) return shown;
  if (isLengthKey(key)) {
    const n = bigEndian(raw);
    return n === null ? null : `${n}`;
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
