import type { CaptureSink, DecryptionSecrets, InterfaceInfo, RawPacket } from '../capture/packet';
import type { Diagnostic } from '../capture/source';
import { decodeTcpPacket, decodeTcpPacketIn, IP_FRAGMENT, newTcpPacket, UDP } from '../net/tcpPacket';
import { IpFragments } from '../net/ipFragments';
import { ConnectionTable, type Connection } from '../tcp/connectionTable';
import { TlsSession } from './tlsSession';
import { QuicConnectionTable } from '../quic/connectionTable';
import type { QuicConnection } from '../quic/connection';

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
  interfaces: InterfaceInfo[];
  secrets: DecryptionSecrets[];
  diagnosticsDropped: number;
  /** UDP datagrams decoded as QUIC (not counted in skipped.UDP). */
  quicDatagrams: number;
}

/**
 * The sink a capture reader feeds: decodes each packet's headers, routes it to
 * its connection, and hands every connection on when it is over. Holds no
 * per-packet state, so memory follows the number of open connections.
 */
export class PacketAnalyzer implements CaptureSink {
  readonly diagnostics: Diagnostic[] = [];
  readonly stats: CaptureStats = {
    packets: 0, tcpPackets: 0, skipped: {}, snaplenCut: 0, fragments: 0, comments: [], interfaces: [], secrets: [], diagnosticsDropped: 0,
    quicDatagrams: 0,
  };
  private readonly scratch = newTcpPacket();
  /** Late packets of connections already finished, per connection id (reported once each at the end). */
  private readonly late = new Map<number, { count: number; packet: number; after: number }>();
  private readonly table: ConnectionTable;
  private readonly fragments: IpFragments;
  private readonly quic: QuicConnectionTable;
  private readonly onQuic: ((c: QuicConnection) => void) | undefined;

  constructor(
    private readonly onFinished: (f: FinishedConnection) => void,
    opts: { hashPayloads?: boolean; timeline?: boolean; quic?: (c: QuicConnection) => void } = {},
  ) {
    this.table = new ConnectionTable({
      opened: (c) => {
        if (c.session === null) c.session = new TlsSession(c);
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
    });
    this.table.hashPayloads = opts.hashPayloads ?? false;
    this.table.keepTimeline = opts.timeline ?? false;
    this.quic = new QuicConnectionTable();
    this.onQuic = opts.quic;
    this.fragments = new IpFragments({
      tcp: (raw, t) => this.table.tcp(raw, t),
      datagram: (frames, reason) => {
        if (reason === null) this.stats.tcpPackets += frames;
        else this.stats.skipped[reason] = (this.stats.skipped[reason] ?? 0) + frames;
      },
      diagnostic: (d) => this.diagnostic(d),
    });
  }

  get openConnections(): number {
    return this.table.openCount;
  }

  packet(p: RawPacket): void {
    this.stats.packets++;
    if (p.comments && p.comments.length > 0) this.stats.comments.push({ packet: p.index, comments: p.comments });
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
      if (reason === UDP && this.onQuic !== undefined && this.udp(p)) return;
      this.stats.skipped[reason] = (this.stats.skipped[reason] ?? 0) + 1;
      return;
    }
    this.stats.tcpPackets++;
    this.table.tcp(p, this.scratch);
  }

  /** A UDP datagram (ports and payload in the scratch packet): true when a QUIC connection took it. */
  private udp(p: RawPacket): boolean {
    const t = this.scratch;
    const frame = p.frame;
    const buf = frame ?? p.data;
    const base = frame ? p.frameStart! : 0;
    const src = {
      packet: p.index, fileOffset: p.fileOffset < 0 ? -1 : p.fileOffset + t.payloadOffset, text: p.text, textIndex: t.payloadOffset,
      ttl: t.ttl, ipId: t.ipId,
    };
    if (!this.quic.datagram(t, buf, base, src, p.timestamp)) return false;
    this.stats.quicDatagrams++;
    return true;
  }

  diagnostic(d: Diagnostic): void {
    if (this.diagnostics.length < DIAGNOSTIC_LIMIT) this.diagnostics.push(d);
    else this.stats.diagnosticsDropped++;
  }

  interface(i: InterfaceInfo): void {
    this.stats.interfaces.push(i);
  }

  secrets(s: DecryptionSecrets): void {
    this.stats.secrets.push(s);
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
  }
}
