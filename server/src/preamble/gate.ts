import type { StreamConsumer, DirectionStream } from '../tcp/reassembly';
import type { TlsStreamDecoder } from '../tls/recordLayer';
import type { Direction } from '../tls/types';
import { isPostgresRequest, isProxyV2, LdapParser, PostgresParser, ProxyV2Parser } from './binary';
import { escapeBytes, tlsAt, type PreambleParser } from './parse';
import type { PreambleSession } from './session';
import { Socks4Parser, Socks5Parser } from './socks';
import { recognisedFirstLine, TextParser } from './text';
import type { PreambleKind } from './types';

/** Bytes of one direction read as preamble at most: beyond, it is not a preamble to TLS. */
export const MAX_PREAMBLE = 64 * 1024;
/** Bytes of an unrecognised text protocol searched for a TLS record header before giving up. */
const UNKNOWN_SCAN = 4096;

const enum Mode { Sniff, Preamble, Tls, Off }

/**
 * Sits between reassembly and one direction's TLS decoder. A stream whose
 * first byte can start a TLS (or SSLv2) record, or that starts mid-way, goes
 * straight to the decoder, which then takes the gate's place: no cost per
 * byte. Otherwise the bytes are read as a preamble by content (never by
 * port) — STARTTLS dialogues, SOCKS, HTTP CONNECT, PROXY headers, LDAP and
 * PostgreSQL requests — and the decoder gets the stream from the offset where
 * TLS begins. Bytes that are no known preamble reach the decoder unchanged,
 * chunk by chunk, so it says what it always said about them.
 */
export class PreambleGate implements StreamConsumer {
  private mode = Mode.Sniff;
  private buf: Uint8Array | null = null;
  private len = 0;
  /** End of each pushed chunk in buf: replayed as pushed when the bytes go to the decoder unread. */
  private chunkEnds: number[] = [];
  private pos = 0;
  private parser: PreambleParser | null = null;
  /** Reading an unrecognised text protocol only to see whether TLS follows (reported, not decoded). */
  private unknown = false;

  constructor(
    private readonly from: Direction,
    private readonly tls: TlsStreamDecoder,
    private readonly session: PreambleSession,
    private readonly stream: DirectionStream,
  ) {}

  push(bytes: Uint8Array, off: number): void {
    if (this.mode === Mode.Tls) return this.tls.push(bytes, off);
    if (this.mode === Mode.Off || bytes.length === 0) return;
    if (this.mode === Mode.Sniff) {
      if (off !== 0 || !mayStartPreamble(this.from, bytes[0])) return this.handOver(bytes, off);
      this.mode = Mode.Preamble;
    }
    const at = this.len;
    if (off !== at) {
      // Reassembly delivers in order; anything else is a gap, handled there.
      if (off > at) return this.fail(`${off - at} byte(s) missing inside the preamble`);
      if (off + bytes.length <= at) return;
      bytes = bytes.subarray(at - off);
    }
    if (at + bytes.length > MAX_PREAMBLE) {
      this.run(true);
      if (this.mode === Mode.Preamble) this.fail(`no TLS within the first ${MAX_PREAMBLE} bytes`);
      return;
    }
    this.append(bytes);
    this.run(false);
  }

  gap(off: number, length: number): void {
    if (this.mode === Mode.Tls) return this.tls.gap(off, length);
    if (this.mode === Mode.Sniff) {
      this.mode = Mode.Tls;
      this.stream.consumer = this.tls;
      return this.tls.gap(off, length);
    }
    if (this.mode === Mode.Preamble) {
      if (this.unknown) return this.passThrough();
      this.fail(`${length} byte(s) at stream offset ${off} were never captured: the preamble cannot be followed`);
    }
  }

  end(): void {
    if (this.mode === Mode.Tls || this.mode === Mode.Sniff) return this.tls.end();
    if (this.mode !== Mode.Preamble) return;
    this.run(true);
    if (this.now() === Mode.Tls) return this.tls.end();
    if (this.now() === Mode.Preamble) {
      if (this.unknown) {
        this.passThrough();
        this.tls.end();
        return;
      }
      this.session.failure[this.from] ??= this.len > this.pos
        ? `the stream ended inside a preamble message (${this.len - this.pos} byte(s) left)`
        : 'the stream ended before TLS began';
      this.mode = Mode.Off;
    }
  }

  /** Re-reads the mode: TypeScript would keep a narrowing across calls that change it. */
  private now(): Mode {
    return this.mode;
  }

  private append(bytes: Uint8Array): void {
    const need = this.len + bytes.length;
    if (!this.buf || this.buf.length < need) {
      const grown = new Uint8Array(Math.min(MAX_PREAMBLE, Math.max(need, 2 * (this.buf?.length ?? 512))));
      if (this.buf) grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(bytes, this.len);
    this.len = need;
    this.chunkEnds.push(need);
  }

  private run(ended: boolean): void {
    const b = this.buf!;
    for (;;) {
      if (this.parser === null) {
        const kind = this.choose(b, this.pos, this.len, ended);
        if (kind === 'more') return;
        if (kind === 'tls') return this.startTls(this.pos);
        if (kind === null) {
          if (this.pos === 0) return this.passThrough();
          return this.fail(`after the preamble the stream is not TLS: "${escapeBytes(b, this.pos, Math.min(this.len, this.pos + 40))}"`);
        }
        if (kind === 'unknown') {
          this.unknown = true;
          this.parser = new TextParser(this.from);
        } else {
          this.session.kinds[this.from].push(kind);
          this.parser = makeParser(kind, this.from);
        }
      }
      const sink = this.unknown ? NO_UNITS : this.session;
      const st = this.parser.step(b, this.pos, this.len, 0, sink);
      this.pos = st.pos;
      if (this.unknown) {
        if (st.tls) {
          this.session.unknownTls[this.from] = { offset: st.pos, after: escapeBytes(b, 0, Math.min(st.pos, 40)) };
          return this.passThrough();
        }
        if (st.fail || this.len >= UNKNOWN_SCAN || (ended && !st.tls)) return this.passThrough();
        return;
      }
      if (st.fail) return this.fail(st.fail);
      if (st.tls) return this.startTls(this.pos);
      if (st.done) {
        this.parser = null;
        continue;
      }
      return;
    }
  }

  /**
   * Which framing the bytes at p start: decided by content, with what the
   * client said deciding how to read the server's answer.
   */
  private choose(b: Uint8Array, p: number, len: number, ended: boolean): PreambleKind | 'tls' | 'more' | 'unknown' | null {
    const avail = len - p;
    if (avail === 0) return 'more';
    const t = tlsAt(b, p, len);
    if (t === 'yes') return 'tls';
    if (t === 'more') return ended ? null : 'more';
    const c = b[p];
    if (this.from === 'client') {
      if (c === 0x05) return 'socks5';
      if (c === 0x04) return 'socks4';
      if (c === 0x30) return 'ldap';
      if (c === 0x00 || c === 0x0d) {
        if (avail < (c === 0 ? 8 : 12)) return ended ? null : 'more';
        if (c === 0 && isPostgresRequest(b, p)) return 'postgres';
        if (c === 0x0d && isProxyV2(b, p)) return 'proxy-v2';
        return null;
      }
    } else {
      const client = this.session.kinds.client;
      const asked = client[client.length - 1];
      if (asked === 'socks5' || asked === 'socks4' || asked === 'postgres' || asked === 'ldap') return asked;
      if (c === 0x05) return 'socks5';
      if (c === 0x00) return 'socks4';
      if (c === 0x30) return 'ldap';
    }
    if (c < 0x20 || c > 0x7e) return null;
    // Text: the first line says whether this is a protocol known to turn into TLS.
    let e = p;
    while (e < len && e - p < 1024 && b[e] !== 0x0a && !(b[p] === 0x3c && b[e] === 0x3e)) e++;
    if (e === len && !ended && e - p < 1024) return 'more';
    // A server's HTTP status line is a preamble only as the answer to CONNECT.
    const afterConnect = this.from === 'server' && this.session.units.some((u) => u.from === 'client' && u.text.startsWith('CONNECT '));
    const lineEnd = e > p && b[e - 1] === 0x0d ? e - 1 : e;
    if (recognisedFirstLine(this.from, escapeBytes(b, p, lineEnd, 200), afterConnect)) return 'text';
    return p === 0 ? 'unknown' : null;
  }

  private startTls(at: number): void {
    this.session.tlsStart[this.from] = at;
    this.mode = Mode.Tls;
    this.stream.consumer = this.tls;
    const b = this.buf!;
    this.buf = null;
    this.tls.beginAt(at);
    if (this.len > at) this.tls.push(b.subarray(at, this.len), at);
  }

  /** Not a preamble: the decoder gets the bytes as they came. */
  private passThrough(): void {
    this.mode = Mode.Tls;
    this.stream.consumer = this.tls;
    const b = this.buf!;
    this.buf = null;
    let s = 0;
    for (const e of this.chunkEnds) {
      if (this.tls.done) break;
      this.tls.push(b.subarray(s, e), s);
      s = e;
    }
  }

  private handOver(bytes: Uint8Array, off: number): void {
    // The other direction may have had a preamble (PROXY, SOCKS): this one's TLS starts at its first byte.
    if (off === 0 && tlsAt(bytes, 0, bytes.length) === 'yes') this.session.tlsStart[this.from] = 0;
    this.mode = Mode.Tls;
    this.stream.consumer = this.tls;
    this.tls.push(bytes, off);
  }

  private fail(reason: string): void {
    this.session.failure[this.from] ??= reason;
    this.mode = Mode.Off;
    this.buf = null;
    this.stream.stopBytes();
  }
}

const NO_UNITS = { unit(): void {}, target(): void {} };

/** Bytes a preamble this gate knows can start with; anything else goes to the TLS decoder as before. */
function mayStartPreamble(from: Direction, c: number): boolean {
  if (c >= 0x20 && c <= 0x7e) return true;
  return from === 'client' ? c === 0x04 || c === 0x05 || c === 0x00 || c === 0x30 || c === 0x0d : c === 0x05 || c === 0x00 || c === 0x30;
}

function makeParser(kind: PreambleKind, from: Direction): PreambleParser {
  switch (kind) {
    case 'text': return new TextParser(from);
    case 'socks5': return new Socks5Parser(from);
    case 'socks4': return new Socks4Parser(from);
    case 'postgres': return new PostgresParser(from);
    case 'ldap': return new LdapParser(from);
    case 'proxy-v2': return new ProxyV2Parser();
  }
}
