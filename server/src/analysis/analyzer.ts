import type { CaptureSink, DecryptionSecrets, InterfaceInfo, RawPacket } from '../capture/packet';
import type { Diagnostic, SourceLocation } from '../capture/source';
import { decodeTcpPacket, decodeTcpPacketIn, IP_FRAGMENT, newTcpPacket, UDP } from '../net/tcpPacket';
import { IpFragments } from '../net/ipFragments';
import { ConnectionTable, type Connection } from '../tcp/connectionTable';
import { TlsSession } from './tlsSession';
import { QuicConnectionTable } from '../quic/connectionTable';
import type { QuicConnection } from '../quic/connection';
import { DtlsConnectionTable } from '../dtls/connectionTable';
import type { DtlsConnection } from '../dtls/connection';
import { DATAGRAM_COST, type MemoryBudget } from './memoryBudget';
import { offsetLocation, textLocation } from '../capture/source';
import type { KeyStore } from '../decrypt/keyStore';

/** pcapng Decryption Secrets Block type of an NSS key log ('TLSK'). */
const DSB_TLS_KEY_LOG = 0x544c534b;

/** Diagnostics kept per capture; later ones are counted (a broken 1 GB file must not fill memory with them). */
export const DIAGNOSTIC_LIMIT = 5000;

export interface FinishedConnection {
  conn: Connection;
  tls: TlsSession | null;
}

export interface CaptureStats {
  packets: number;
  tcpPackets: number;
  /** Why packets were not TCP, with counts (e.g. "UDP": 12, "ARP": 3). */
  skipped: Record<string, number>;
  snaplenCut: number;
  fragments: number;
  comments: Array<{ packet: number; comments: string[] }>;
  /** Packet comments left out to stay within the memory budget. */
  commentsDropped: number;
  interfaces: InterfaceInfo[];
  /** Decryption Secrets Blocks seen: only counted (their keys are never kept nor shown). */
  secrets: number;
  diagnosticsDropped: number;
  /** UDP datagrams decoded as QUIC (not counted in skipped.UDP). */
  quicDatagrams: number;
  /** UDP datagrams on DTLS 5-tuples (DTLS, and the STUN/SRTP multiplexed with it; not counted in skipped.UDP). */
  dtlsDatagrams: number;
  /** Smallest and largest finite packet timestamp (+/-Infinity until one is seen): packets need not be in time order. */
  firstTime: number;
  lastTime: number;
}

/**
 * The sink a capture reader feeds: decodes each packet's headers, routes it to
 * its connection, and hands every connection on when it is over. Holds no
 * per-packet state, so memory follows the number of open connections.
 */
export class PacketAnalyzer implements CaptureSink {
  readonly diagnostics: Diagnostic[] = [];
  readonly stats: CaptureStats = {
    packets: 0, tcpPackets: 0, skipped: {}, snaplenCut: 0, fragments: 0, comments: [], commentsDropped: 0, interfaces: [], secrets: 0, diagnosticsDropped: 0,
    quicDatagrams: 0, dtlsDatagrams: 0, firstTime: Infinity, lastTime: -Infinity,
  };
  private readonly scratch = newTcpPacket();
  /** Late packets of connections already finished, per connection id (reported once each at the end). */
  private readonly late = new Map<number, { count: number; packet: number; after: number }>();
  private readonly table: ConnectionTable;
  private readonly fragments: IpFragments;
  private readonly quic: QuicConnectionTable;
  private readonly onQuic: ((c: QuicConnection) => void) | undefined;
  private readonly dtls: DtlsConnectionTable;
  private readonly onDtls: ((c: DtlsConnection) => void) | undefined;

  readonly budget: MemoryBudget | null;
  /** Keys of the run (issue #14): given before it starts, and added to by the capture's Decryption Secrets Blocks. */
  readonly keys: KeyStore | null;

  constructor(
    private readonly onFinished: (f: FinishedConnection) => void,
    opts: { hashPayloads?: boolean; timeline?: boolean; quic?: (c: QuicConnection) => void; dtls?: (c: DtlsConnection) => void; budget?: MemoryBudget; keys?: KeyStore } = {},
  ) {
    this.budget = opts.budget ?? null;
    this.keys = opts.keys ?? null;
    const keys = this.keys;
    this.table = new ConnectionTable({
      opened: (c) => {
        if (c.session === null) c.session = new TlsSession(c, keys !== null && keys.size > 0 ? keys : null);
      },
      finished: (c) => {
        c.sa.finish();
        c.sb.finish();
        this.onFinished({ conn: c, tls: c.session as TlsSession | null });
        // Reports hold no reference to the retained bytes (only to offsets).
        c.sa.release();
        c.sb.release();
      },
      late: (id, packet, after) => {
        const l = this.late.get(id);
        if (l) l.count++;
        else if (this.late.size < DIAGNOSTIC_LIMIT) this.late.set(id, { count: 1, packet, after });
      },
      shed: (c, raw) => {
        // Once, where it first happened; the total is in the summary at the end.
        if (this.budget?.shed.connections !== 1) return;
        this.diagnostic({
          severity: 'warning', code: 'budget.connections', packet: raw.index, location: where(raw),
          message: `more than ${Math.floor(this.budget.cap('connections') / (1 << 20))} MiB of open connections (memory budget ${this.budget.limit >> 20} MiB): from here on the oldest open connection is finished early each time a new one starts (first: ${c.client.address}:${c.client.port} → ${c.server.address}:${c.server.port})`,
        });
      },
    });
    this.table.budget = this.budget;
    this.table.hashPayloads = opts.hashPayloads ?? false;
    this.table.keepTimeline = opts.timeline ?? false;
    this.quic = new QuicConnectionTable();
    this.quic.hashPayloads = opts.hashPayloads ?? false;
    this.quic.timeline = opts.timeline ?? false;
    this.quic.keys = this.keys;
    this.onQuic = opts.quic;
    // DTLS handshake bytes wait for the end of input (no end of association is visible): an eighth of the budget at most.
    this.dtls = new DtlsConnectionTable(this.budget ? Math.floor(this.budget.limit / 8) : undefined);
    this.onDtls = opts.dtls;
    this.fragments = new IpFragments({
      tcp: (raw, t) => this.table.tcp(raw, t),
      datagram: (frames, reason) => {
        if (reason === null) this.stats.tcpPackets += frames;
        else this.stats.skipped[reason] = (this.stats.skipped[reason] ?? 0) + frames;
      },
      diagnostic: (d) => this.diagnostic(d),
    });
    if (this.budget) this.fragments.maxDatagrams = Math.max(64, Math.floor(this.budget.cap('fragments') / DATAGRAM_COST));
  }

  /** Datagrams given up because too many waited at once (memory budget). */
  get fragmentsEvicted(): number {
    return this.fragments.evictedForCount;
  }

  get openConnections(): number {
    return this.table.openCount;
  }

  packet(p: RawPacket): void {
    this.stats.packets++;
    // Every packet counts, not only the decoded ones: an ICMP-only capture still shows when it ran.
    if (p.timestamp < this.stats.firstTime) this.stats.firstTime = p.timestamp;
    if (p.timestamp > this.stats.lastTime) this.stats.lastTime = p.timestamp;
    if (p.comments && p.comments.length > 0) this.comments(p);
    const frame = p.frame;
    if ((frame ? p.frameEnd! - p.frameStart! : p.data.length) < p.origLength) this.stats.snaplenCut++;
    if (p.summary) {
      this.stats.tcpPackets++;
      this.table.summary(p, p.summary);
      return;
    }
    // Written so that a NaN time (no timestamps) never gives up a datagram: those wait for the end.
    if (p.timestamp > this.fragments.due) this.fragments.expire(p.timestamp);
    const reason = frame ? decodeTcpPacketIn(p.linkType, frame, p.frameStart!, p.frameEnd!, this.scratch) : decodeTcpPacket(p.linkType, p.data, this.scratch);
    if (reason !== null) {
      if (reason === IP_FRAGMENT) {
        this.stats.fragments++;
        this.fragments.add(p, this.scratch);
        return;
      }
      if (reason === UDP && (this.onQuic !== undefined || this.onDtls !== undefined) && this.udp(p)) return;
      this.stats.skipped[reason] = (this.stats.skipped[reason] ?? 0) + 1;
      return;
    }
    this.stats.tcpPackets++;
    this.table.tcp(p, this.scratch);
  }

  /** A UDP datagram (ports and payload in the scratch packet): true when a QUIC or DTLS connection took it. */
  private udp(p: RawPacket): boolean {
    const t = this.scratch;
    const frame = p.frame;
    const buf = frame ?? p.data;
    const base = frame ? p.frameStart! : 0;
    const src = {
      packet: p.index, fileOffset: p.fileOffset < 0 ? -1 : p.fileOffset + t.payloadOffset, text: p.text, textIndex: t.payloadOffset,
      ttl: t.ttl, ipId: t.ipId,
    };
    if (this.onQuic !== undefined && this.quic.datagram(t, buf, base, src, p.timestamp)) {
      this.stats.quicDatagrams++;
      return true;
    }
    if (this.onDtls !== undefined && this.dtls.datagram(t, buf, base, src, p.timestamp)) {
      this.stats.dtlsDatagrams++;
      if (this.dtls.adopted > 0) {
        // The ICE checks that came before the DTLS were counted as UDP: they belong to the connection now.
        const left = (this.stats.skipped[UDP] ?? 0) - this.dtls.adopted;
        if (left > 0) this.stats.skipped[UDP] = left;
        else delete this.stats.skipped[UDP];
        this.stats.dtlsDatagrams += this.dtls.adopted;
        this.dtls.adopted = 0;
      }
      return true;
    }
    return false;
  }

  /**
   * Comments are kept for the report up to their share of the budget (20,000
   * comments of 60 KB took 2.4 GB and then did not fit in one JSON string).
   */
  private comments(p: RawPacket): void {
    let size = 64;
    for (const c of p.comments!) size += 2 * c.length;
    if (this.budget?.over('comments', size)) {
      if (this.stats.commentsDropped++ === 0) {
        this.diagnostic({
          severity: 'warning', code: 'budget.comments', packet: p.index, location: where(p),
          message: `packet comments past ${Math.floor(this.budget.cap('comments') / (1 << 20))} MiB (memory budget ${this.budget.limit >> 20} MiB): this and later comments are left out of the report`,
        });
      }
      return;
    }
    this.budget?.take('comments', size);
    this.stats.comments.push({ packet: p.index, comments: p.comments! });
  }

  diagnostic(d: Diagnostic): void {
    if (this.diagnostics.length < DIAGNOSTIC_LIMIT) this.diagnostics.push(d);
    else this.stats.diagnosticsDropped++;
  }

  interface(i: InterfaceInfo): void {
    this.stats.interfaces.push(i);
  }

  secrets(s: DecryptionSecrets): void {
    // Only the count is reported: 2,000 blocks of 1 MiB were all held before (2 GB).
    this.stats.secrets++;
    // A TLS key log block ('TLSK') is parsed into the run's keys, bounded by the store's
    // own cap on client randoms; the block's bytes are not kept.
    if (this.keys !== null && s.secretsType === DSB_TLS_KEY_LOG) {
      const parser = this.keys.parser({ kind: 'dsb', name: `Decryption Secrets Block at offset ${s.fileOffset - 16}` });
      parser.push(s.data);
      parser.end();
    }
  }

  /** End of input: every connection still open is finished. */
  end(): void {
    this.fragments.end();
    this.table.finishAll();
    for (const [id, l] of this.late) {
      this.diagnostic({
        severity: 'info', code: 'tcp.late-packets', location: null, packet: l.packet,
        message: `${l.count} packet(s) of connection ${id} arrived after it had closed (the first ${l.after.toFixed(1)} s after both sides finished): late retransmissions or ACKs, counted here, not taken for a new connection`,
      });
    }
    // QUIC has no end-of-connection a passive observer can rely on: every connection is finished at the end of input.
    if (this.onQuic !== undefined) {
      for (const c of this.quic.connections) {
        c.id = this.table.allocateId();
        this.onQuic(c);
      }
    }
    if (this.onDtls !== undefined) {
      for (const c of this.dtls.connections) {
        c.id = this.table.allocateId();
        this.onDtls(c);
        c.release();
      }
    }
  }
}

function where(raw: RawPacket): SourceLocation | null {
  if (raw.fileOffset >= 0) return offsetLocation(raw.fileOffset, 1);
  const t = raw.text;
  return t && t.line.length > 0 ? textLocation(t.line[0], t.column[0]) : null;
}
