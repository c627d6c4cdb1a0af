/**
 * NSS key log format (SSLKEYLOGFILE, as written by OpenSSL, NSS, BoringSSL,
 * Go, curl, Chrome/Firefox, Node's 'keylog' event, and carried in pcapng
 * Decryption Secrets Blocks): `LABEL <client random hex> <secret hex>` per
 * line, `#` comments. Parsed as a stream of bytes in any chunks: a key log is
 * untrusted input like a capture, so no line is held past MAX_LINE bytes and
 * every line that is not understood is reported with its line number, never
 * thrown on. Key material is kept as bytes and never put in a message.
 */

/** Labels of TLS 1.2 and 1.3 (and their QUIC_ forms, written by some QUIC stacks such as quicly). */
export const KEY_LOG_LABELS = [
  'CLIENT_RANDOM',
  'CLIENT_EARLY_TRAFFIC_SECRET',
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0',
  'SERVER_TRAFFIC_SECRET_0',
  'EXPORTER_SECRET',
  'EARLY_EXPORTER_SECRET',
  'QUIC_CLIENT_EARLY_TRAFFIC_SECRET',
  'QUIC_CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'QUIC_SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'QUIC_CLIENT_TRAFFIC_SECRET_0',
  'QUIC_SERVER_TRAFFIC_SECRET_0',
] as const;
export type KeyLogLabel = (typeof KEY_LOG_LABELS)[number];

const LABELS = new Set<string>(KEY_LOG_LABELS);
/** Labels Wireshark also reads that name no client random: understood, not used here. */
const OTHER_KNOWN = new Set(['RSA', 'PMS_CLIENT_RANDOM', 'RSA_SESSION_ID', 'ECH_SECRET', 'ECH_CONFIG']);
/** OpenSSL 3 logs the secrets after a KeyUpdate under these: derived here from *_TRAFFIC_SECRET_0, so not needed. */
const DERIVED = new Set(['CLIENT_TRAFFIC_SECRET_N', 'SERVER_TRAFFIC_SECRET_N']);

/** The longest valid line is ~230 bytes (a 48-byte secret); anything far past it is not a key log line. */
export const MAX_LINE = 1024;

export interface KeyLogLine {
  label: KeyLogLabel;
  /** Lower-case hex of the 32-byte ClientHello random. */
  clientRandom: string;
  secret: Uint8Array;
  /** 1-based. */
  line: number;
}

export interface KeyLogProblem {
  severity: 'error' | 'warning' | 'info';
  code: string;
  /** 1-based line number. */
  line: number;
  message: string;
}

const HEX = /^[0-9a-fA-F]*$/;

/** Secret sizes: 48 bytes for a TLS 1.2 master secret, the hash length (32 or 48) for TLS 1.3 secrets. */
function secretLengthOk(label: KeyLogLabel, n: number): boolean {
  return label === 'CLIENT_RANDOM' ? n === 48 : n === 32 || n === 48 || n === 64;
}

export class KeyLogParser {
  private buf = new Uint8Array(256);
  private len = 0;
  private lineNo = 0;
  /** The current line went past MAX_LINE: its rest is dropped up to the newline. */
  private overlong = false;

  constructor(
    private readonly onLine: (l: KeyLogLine) => void,
    private readonly onProblem: (p: KeyLogProblem) => void,
  ) {}

  push(chunk: Uint8Array): void {
    let start = 0;
    // indexOf is native: a megabyte-long "line" (a hostile Decryption Secrets Block) costs a scan, not a JS loop.
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, start)) {
      this.take(chunk.subarray(start, i));
      this.finishLine(true);
      start = i + 1;
    }
    this.take(chunk.subarray(start));
  }

  end(): void {
    if (this.len > 0 || this.overlong) this.finishLine(false);
  }

  get lines(): number {
    return this.lineNo;
  }

  private take(part: Uint8Array): void {
    if (this.overlong || part.length === 0) return;
    if (this.len + part.length > MAX_LINE) {
      this.overlong = true;
      return;
    }
    if (this.len + part.length > this.buf.length) {
      const b = new Uint8Array(Math.min(MAX_LINE, Math.max(this.buf.length * 2, this.len + part.length)));
      b.set(this.buf.subarray(0, this.len));
      this.buf = b;
    }
    this.buf.set(part, this.len);
    this.len += part.length;
  }

  private finishLine(newline: boolean): void {
    this.lineNo++;
    const line = this.lineNo;
    if (this.overlong) {
      this.overlong = false;
      this.len = 0;
      this.onProblem({ severity: 'error', code: 'keylog.line-too-long', line, message: `line longer than ${MAX_LINE} bytes: not a key log line, skipped` });
      return;
    }
    let text = new TextDecoder('utf-8', { fatal: false }).decode(this.buf.subarray(0, this.len));
    this.len = 0;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const parts = trimmed.split(/[ \t]+/);
    const label = parts[0];
    // Names only: the fields after the label are secrets and never quoted.
    const shownLabel = /^[A-Z0-9_]{1,40}$/.test(label) ? label : 'a line';
    if (!LABELS.has(label)) {
      if (DERIVED.has(label)) return;
      if (OTHER_KNOWN.has(label)) {
        this.onProblem({ severity: 'info', code: 'keylog.label-unused', line, message: `${label} lines are not used (only client-random keyed secrets are)` });
      } else {
        this.onProblem({
          severity: 'warning',
          code: 'keylog.label-unknown',
          line,
          message: `${shownLabel === 'a line' ? 'line does not start with a key log label' : `unknown label ${shownLabel}`}: skipped`,
        });
      }
      return;
    }
    const l = label as KeyLogLabel;
    if (parts.length !== 3) {
      const why = parts.length < 3 ? (newline ? 'has' : 'is cut short at the end of the file:') : 'has';
      this.onProblem({
        severity: 'error',
        code: 'keylog.fields',
        line,
        message: `${l} line ${why} ${parts.length} field(s), expected 3 (label, client random, secret): skipped`,
      });
      return;
    }
    const [, random, secretHex] = parts;
    if (random.length !== 64 || !HEX.test(random)) {
      this.onProblem({
        severity: 'error',
        code: 'keylog.client-random',
        line,
        message: `${l}: the client random is not 64 hex digits (${random.length} characters): skipped`,
      });
      return;
    }
    if (secretHex.length % 2 !== 0 || !HEX.test(secretHex)) {
      const cut = !newline ? ' (the file ends inside it)' : '';
      this.onProblem({ severity: 'error', code: 'keylog.secret', line, message: `${l}: the secret is not an even number of hex digits${cut}: skipped` });
      return;
    }
    const secret = Buffer.from(secretHex, 'hex');
    if (!secretLengthOk(l, secret.length)) {
      this.onProblem({
        severity: 'error',
        code: 'keylog.secret-length',
        line,
        message: `${l}: a ${secret.length}-byte secret (expected ${l === 'CLIENT_RANDOM' ? '48' : '32 or 48'}): skipped`,
      });
      return;
    }
    this.onLine({ label: l, clientRandom: random.toLowerCase(), secret: new Uint8Array(secret), line });
  }
}

/** Parses a whole key log held in memory (a Decryption Secrets Block, a test). */
export function parseKeyLog(bytes: Uint8Array): { lines: KeyLogLine[]; problems: KeyLogProblem[] } {
  const lines: KeyLogLine[] = [];
  const problems: KeyLogProblem[] = [];
  const p = new KeyLogParser(
    (l) => lines.push(l),
    (e) => problems.push(e),
  );
  p.push(bytes);
  p.end();
  return { lines, problems };
}
