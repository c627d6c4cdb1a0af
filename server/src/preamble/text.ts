import type { Direction } from '../tls/types';
import { escapeBytes, part, tlsAt, type PreambleParser, type Step, type UnitSink } from './parse';
import type { PreamblePart } from './types';

/** Longest line kept: SMTP allows 512 (RFC 5321 §4.5.3.1.4), IMAP more; beyond this it is not a preamble. */
const MAX_LINE = 8192;

/**
 * Line-oriented preambles: SMTP, IMAP, POP3, FTP, NNTP, IRC, ManageSieve,
 * HTTP CONNECT, PROXY v1; XMPP's XML, whose tags end a unit at '>' (no line
 * ends are needed there). TLS starts at a unit boundary where a record header
 * follows; a control byte elsewhere means the bytes are not a text protocol.
 */
export class TextParser implements PreambleParser {
  private xml = false;
  private first = true;

  constructor(private readonly from: Direction) {}

  step(b: Uint8Array, pos: number, len: number, base: number, sink: UnitSink): Step {
    let p = pos;
    while (p < len) {
      const t = tlsAt(b, p, len);
      if (t === 'yes') return { pos: p, tls: true };
      if (t === 'more') return { pos: p };
      if (this.first) {
        this.first = false;
        this.xml = b[p] === 0x3c; // '<': XMPP's stream header
      }
      let e = p;
      while (e < len && b[e] !== 0x0a && !(this.xml && b[e] === 0x3e)) {
        const c = b[e];
        if (c < 0x20 && c !== 0x09 && c !== 0x0d) {
          if (tlsAt(b, e, len) === 'yes') {
            // TLS right after text that did not end its line: take the text as one unit.
            if (e > p) this.emit(b, p, e, base, sink);
            return { pos: e, tls: true };
          }
          return { pos: p, fail: `control byte 0x${c.toString(16).padStart(2, '0')} in a text preamble at stream offset ${base + e}` };
        }
        e++;
      }
      if (e === len) {
        if (len - p > MAX_LINE) return { pos: p, fail: `a line longer than ${MAX_LINE} bytes at stream offset ${base + p}` };
        return { pos: p };
      }
      e++;
      this.emit(b, p, e, base, sink);
      p = e;
    }
    return { pos: p };
  }

  private emit(b: Uint8Array, p: number, e: number, base: number, sink: UnitSink): void {
    let end = e;
    while (end > p && (b[end - 1] === 0x0a || b[end - 1] === 0x0d)) end--;
    const text = escapeBytes(b, p, end, 400);
    if (text === '') return;
    const proxy = this.from === 'client' ? /^PROXY TCP[46] (\S+) (\S+) (\d+) (\d+)$/.exec(text) : null;
    let parts: PreamblePart[] | undefined;
    if (proxy) {
      // PROXY v1 (haproxy's proxy-protocol.txt §2.1): the original client and the address it reached.
      sink.target({ host: proxy[1], port: Number(proxy[3]) }, 'source');
      sink.target({ host: proxy[2], port: Number(proxy[4]) }, 'destination');
      const w = words(b, p, end);
      parts = ['source address', 'destination address', 'source port', 'destination port'].map((name, i) => part(name, base + w[i + 2][0], base + w[i + 2][1], proxy[i + 1]));
    } else if (this.from === 'client' && /^CONNECT \S+ HTTP\//.test(text)) {
      const w = words(b, p, end);
      parts = [part('CONNECT authority', base + w[1][0], base + w[1][1], escapeBytes(b, w[1][0], w[1][1], 400))];
    }
    const meaning = lineMeaning(this.from, text);
    sink.unit(this.from, base + p, base + e, text, parts ? { ...meaning, parts } : meaning);
  }
}

/** [start, end) of each space-separated word of b[p, end). */
function words(b: Uint8Array, p: number, end: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = p;
  while (i < end) {
    while (i < end && b[i] === 0x20) i++;
    const s = i;
    while (i < end && b[i] !== 0x20) i++;
    if (i > s) out.push([s, i]);
  }
  return out;
}

/** What a line means for going to TLS: the client asking, or the server saying no. */
function lineMeaning(from: Direction, text: string): { refusal?: string; startTls?: boolean } | undefined {
  if (from === 'client') {
    if (/^(?:\S+ )?STARTTLS$|^STLS$|^AUTH (?:TLS|SSL|TLS-C)$/i.test(text) || text.startsWith('<starttls')) return { startTls: true };
    return undefined;
  }
  // Negative answers, by protocol: SMTP/FTP/NNTP 4xx/5xx, POP3 -ERR, IMAP tagged NO/BAD,
  // ManageSieve NO/BYE, IRC 691, XMPP <failure>, HTTP non-2xx.
  if (/^[45]\d\d[ -]/.test(text) || /^-ERR\b/.test(text) || /^\S+ (?:NO|BAD)\b/.test(text) || /^(?:NO|BYE)\b/.test(text)
    || /^:\S+ 691 /.test(text) || text.startsWith('<failure') || /^HTTP\/\d\.\d [13-5]\d\d\b/.test(text)) return { refusal: text };
  return undefined;
}

/**
 * The first line of a direction, as a protocol that can turn into TLS
 * starts it: the server's greeting (SMTP/FTP 220, IMAP "* OK", POP3 "+OK",
 * NNTP 200/201, ManageSieve capabilities, an IRC server notice) or the
 * client's first command (EHLO, CAPABILITY, STARTTLS, AUTH TLS, an XMPP
 * stream header, CONNECT, PROXY v1, IRC registration).
 */
export function recognisedFirstLine(from: Direction, line: string, afterConnect = false): boolean {
  if (line.startsWith('<?xml') || line.startsWith('<stream:stream')) return true;
  if (from === 'server') {
    return /^220[ -]/.test(line) || /^\* (?:OK|PREAUTH)\b/.test(line) || /^\+OK\b/.test(line) || /^20[01][ -]/.test(line)
      || /^"(?:IMPLEMENTATION|SASL|SIEVE|STARTTLS|VERSION)"/i.test(line) || /^:\S+ (?:NOTICE|\d{3}) /.test(line)
      || (afterConnect && /^HTTP\/1\.[01] \d{3}\b/.test(line));
  }
  return /^(?:EHLO|HELO|LHLO) /i.test(line) || /^(?:STARTTLS|STLS|CAPA|CAPABILITIES|AUTH (?:TLS|SSL|TLS-C))\r?$/i.test(line)
    || /^\S+ (?:CAPABILITY|STARTTLS)\r?$/i.test(line) || /^CONNECT \S+:\d+ HTTP\/1\.[01]\r?$/.test(line)
    || /^PROXY (?:TCP4|TCP6|UNKNOWN)\b/.test(line) || /^(?:CAP LS|NICK |PASS )/i.test(line);
}
