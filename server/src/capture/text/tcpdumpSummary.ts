import { LinkType, type CaptureSink, type SummaryTcp } from '../packet';
import { isDigit, isSpace, type Line } from './lines';
import { Reporter } from './report';
import { scanTcpdumpStyle, tcpdumpLineKind } from './tcpdumpLines';
import { tcpdumpTimeAt } from './timestamps';

const FLAGS = ': Flags [';

/** Service names tcpdump prints for ports without -nn that matter for TLS work. */
const SERVICES: Record<string, number> = {
  https: 443, http: 80, 'http-alt': 8080, imaps: 993, pop3s: 995, smtps: 465, submission: 587, smtp: 25,
  ldaps: 636, ftps: 990, 'xmpp-client': 5222, 'xmpp-server': 5269, domain: 53, 'domain-s': 853, ssh: 22,
  imap2: 143, imap: 143, pop3: 110, ircs: 994, 'https-alt': 8443, 'pcsync-https': 8443,
};

/** Reads an unsigned decimal at i: [value, end], or null. */
function numberAt(s: string, i: number): [number, number] | null {
  let j = i;
  let v = 0;
  while (j < s.length && isDigit(s.charCodeAt(j)) && j - i < 16) {
    v = v * 10 + (s.charCodeAt(j) - 48);
    j++;
  }
  return j > i ? [v, j] : null;
}

/**
 * "ADDRESS.PORT" → [address, port]. The port is what follows the last dot,
 * so the address part may be anything an anonymiser left (`client`,
 * `[relay]`, `XXX.XXX.XXX.XXX`, an IPv6 address). -1 for a service name we
 * do not know.
 */
export function splitEndpoint(t: string): [string, number] {
  const dot = t.lastIndexOf('.');
  if (dot < 0) return [t, -1];
  const p = t.slice(dot + 1);
  const n = numberAt(p, 0);
  const port = n && n[1] === p.length && n[0] <= 65535 ? n[0] : (SERVICES[p] ?? -1);
  return [t.slice(0, dot), port];
}

/** Where the source endpoint starts in the text before " > ". */
function sourceStart(region: string): number {
  let start = 0;
  const ip = region.lastIndexOf(' IP ');
  if (ip >= 0) start = Math.max(start, ip + 4);
  const ip6 = region.lastIndexOf(' IP6 ');
  if (ip6 >= 0) start = Math.max(start, ip6 + 5);
  // -e prints "…, length 74: SRC > DST"
  const colon = region.lastIndexOf(': ');
  if (colon >= 0) start = Math.max(start, colon + 2);
  if (start === 0) {
    if (region.startsWith('IP ')) start = 3;
    else if (region.startsWith('IP6 ')) start = 4;
  }
  while (start < region.length && isSpace(region.charCodeAt(start))) start++;
  // Without any marker (a -t line from some other printer), fall back to the last word.
  if (start === 0 && ip < 0 && ip6 < 0 && colon < 0) {
    const sp = Math.max(region.lastIndexOf(' '), region.lastIndexOf('\t'));
    start = sp + 1;
  }
  return start;
}

/**
 * Parses the TCP part of one tcpdump line: "SRC.PORT > DST.PORT: Flags
 * [S.], seq A[:B], ack C, win D, options […], length E". Returns null when the
 * line has no "Flags [" (not TCP) and a string saying what is missing when the
 * TCP part is malformed. relativeSeq is left false for the caller to decide.
 */
export function parseTcpSummary(s: string): SummaryTcp | string | null {
  const at = s.indexOf(FLAGS);
  if (at < 0) return null;
  const region = s.slice(0, at);
  const gt = region.lastIndexOf(' > ');
  if (gt < 0) return "expected 'SOURCE.PORT > DESTINATION.PORT' before ': Flags ['";
  const [src, srcPort] = splitEndpoint(region.slice(sourceStart(region.slice(0, gt)), gt).trim());
  const [dst, dstPort] = splitEndpoint(region.slice(gt + 3).trim());
  const flagsEnd = s.indexOf(']', at + FLAGS.length);
  if (flagsEnd < 0) return "expected ']' closing the TCP flags";
  const out: SummaryTcp = {
    src, srcPort, dst, dstPort,
    flags: s.slice(at + FLAGS.length, flagsEnd),
    seq: null, seqEnd: null, ack: null, window: null, length: -1, relativeSeq: false,
  };
  // Fields are ", "-separated; options [...] holds commas of its own, so walk with a bracket depth.
  let i = flagsEnd + 1;
  const n = s.length;
  while (i < n) {
    if (s.charCodeAt(i) !== 44) break;
    i++;
    while (i < n && s.charCodeAt(i) === 32) i++;
    let e = i;
    let depth = 0;
    while (e < n) {
      const c = s.charCodeAt(e);
      if (c === 91 || c === 40) depth++;
      else if (c === 93 || c === 41) depth--;
      else if (depth <= 0 && c === 44) break;
      e++;
    }
    const field = s.slice(i, e);
    if (field.startsWith('seq ')) {
      const a = numberAt(field, 4);
      if (a) {
        out.seq = a[0];
        const b = field.charCodeAt(a[1]) === 58 ? numberAt(field, a[1] + 1) : null;
        out.seqEnd = b ? b[0] : a[0];
      }
    } else if (field.startsWith('ack ')) {
      const a = numberAt(field, 4);
      if (a) out.ack = a[0];
    } else if (field.startsWith('win ')) {
      const a = numberAt(field, 4);
      if (a) out.window = a[0];
    } else if (field.startsWith('length ')) {
      const a = numberAt(field, 7);
      if (a) out.length = a[0];
      break;
    }
    i = e;
  }
  if (out.length < 0) {
    out.length = out.seq !== null && out.seqEnd !== null ? Math.max(0, out.seqEnd - out.seq) : 0;
  }
  return out;
}

/** Modular distance between two 32-bit sequence numbers. */
function seqDistance(a: number, b: number): number {
  const d = (a - b) >>> 0;
  return Math.min(d, 2 ** 32 - d);
}

interface Connection {
  /** "address|port" of the side that sent the first ACK-bearing packet. */
  first: string;
  seq: number | null;
  ack: number | null;
}

/**
 * Works out whether tcpdump printed relative sequence numbers. tcpdump
 * (without -S) prints a connection's first ACK-bearing packet with absolute
 * numbers, remembers them, and prints every later ACK-bearing packet of the
 * connection (both directions) relative to them; packets without ACK (the
 * SYN, a bare RST) are always absolute. So the first ACK-bearing packet of
 * each connection, and packets without ACK, get relativeSeq = false. For the
 * next one, the printed number is compared with the remembered base: relative
 * numbering prints bytes-since-the-start, close to 0; absolute numbering
 * prints values close to the base (modulo 2^32). -S applies to the whole
 * dump, so the first such decision is kept for every later packet. A base
 * itself within 2^16 of 0 decides nothing; tcpdump's default (relative) is assumed then.
 */
export class RelativeSeqTracker {
  private readonly connections = new Map<string, Connection>();
  private decided: boolean | null = null;

  classify(t: SummaryTcp): boolean {
    if (!t.flags.includes('.')) return false;
    const a = `${t.src}|${t.srcPort}`;
    const b = `${t.dst}|${t.dstPort}`;
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    const c = this.connections.get(key);
    if (!c) {
      this.connections.set(key, { first: a, seq: t.seq, ack: t.ack });
      return false;
    }
    if (this.decided !== null) return this.decided;
    const same = c.first === a;
    // In the first packet's direction seq continues its seq and ack its ack; in the other, they swap.
    const [value, base] = t.seq !== null ? [t.seq, same ? c.seq : c.ack] : [t.ack, same ? c.ack : c.seq];
    if (value === null || base === null || seqDistance(base, 0) < 0x10000) return true;
    this.decided = seqDistance(value, 0) < seqDistance(value, base);
    return this.decided;
  }
}

/** IP length from -v's "(tos …, proto TCP (6), length 60)" or IPv6 "payload length: 32)"; 0 when absent. */
function verboseIpLength(s: string): number {
  const v6 = s.indexOf('payload length: ');
  if (v6 >= 0) {
    const n = numberAt(s, v6 + 16);
    return n ? 40 + n[0] : 0;
  }
  const k = s.indexOf('proto TCP (6), length ');
  if (k >= 0) {
    const n = numberAt(s, k + 22);
    return n ? n[0] : 0;
  }
  return 0;
}

/**
 * tcpdump -nn output without hex: one packet per header line (plus -v
 * continuation lines). Emits summary-only packets: no bytes, the TCP header
 * as printed, linkType RAW. origLength is the IP length when -v printed it, else 0.
 */
export function parseTcpdumpSummary(lines: Line[], sink: CaptureSink, rep: Reporter): void {
  const style = scanTcpdumpStyle(lines);
  const seqs = new RelativeSeqTracker();
  let index = 0;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const kind = tcpdumpLineKind(line.text);
    i++;
    if (kind === 'blank' || kind === 'chatter') continue;
    if (kind === 'hex') {
      rep.first('hex', 'info', 'text.ignored-hex', 'hex lines are ignored in a summary dump', line, 0, line.text.length);
      continue;
    }
    if (kind === 'indented' || (kind === 'other' && style.timed)) {
      rep.line('warning', 'text.garbage', style.timed
        ? 'expected a tcpdump line starting with a timestamp (like 12:00:01.123456), ignoring this line'
        : 'expected a tcpdump line, ignoring this indented text', line);
      continue;
    }
    // Gather -v continuation lines: indented, not hex.
    const header = line;
    let tcpLine = line;
    let ipLength = verboseIpLength(line.text);
    let tcp = parseTcpSummary(line.text);
    while (i < lines.length && tcpdumpLineKind(lines[i].text) === 'indented') {
      if (tcp === null) {
        tcp = parseTcpSummary(lines[i].text);
        if (tcp !== null) tcpLine = lines[i];
      }
      i++;
    }
    if (tcp === null) {
      const trunc = header.text.includes('[|tcp]');
      rep.first(trunc ? 'trunc' : 'not-tcp', 'info', trunc ? 'text.truncated-tcp' : 'text.not-tcp',
        trunc
          ? 'a line with a cut TCP header ([|tcp]) is skipped'
          : "lines that are not TCP (no ': Flags [') are skipped; this is the first",
        header, 0, header.text.length);
      continue;
    }
    if (typeof tcp === 'string') {
      rep.line('warning', 'text.bad-summary', tcp, tcpLine);
      continue;
    }
    if (ipLength === 0) ipLength = verboseIpLength(tcpLine.text);
    tcp.relativeSeq = seqs.classify(tcp);
    const time = style.clock.time(kind === 'timed' ? tcpdumpTimeAt(header.text) : null);
    sink.packet({
      index: index++,
      timestamp: time,
      linkType: LinkType.RAW,
      data: new Uint8Array(0),
      origLength: ipLength,
      fileOffset: -1,
      text: { line: new Uint32Array(0), column: new Uint32Array(0) },
      headerLine: header.no,
      summary: tcp,
    });
  }
}
