/**
 * Routes UDP datagrams to QUIC connections: by 5-tuple first, then by
 * connection ID, so a client that changes port (NAT rebinding, migration)
 * stays one connection. A datagram on an unknown 5-tuple is QUIC only when it
 * starts with a long-header Initial of a known version (a new connection) or
 * names a connection ID already seen; anything else stays "UDP".
 */
import type { Endpoint } from '../../../shared/analysis';
import type { TcpPacket } from '../net/tcpPacket';
import { ipv4Text } from '../net/tcpPacket';
import type { Direction } from '../tls/types';
import { QuicConnection, hex, type DatagramSource } from './connection';
import { parsePacketHeader } from './packet';

/**
 * Connections tracked at once. Each costs little until its Initials carry
 * CRYPTO data (at most 2 × CRYPTO_LIMIT), and spoofed Initials from many
 * tuples must not grow memory without bound.
 */
export const QUIC_CONNECTION_LIMIT = 20000;

interface Route {
  conn: QuicConnection;
  from: Direction;
}

export class QuicConnectionTable {
  private readonly byTuple = new Map<string, Route>();
  private readonly byCid = new Map<string, QuicConnection>();
  private readonly cidsKnown = new Map<QuicConnection, number>();
  readonly connections: QuicConnection[] = [];
  /** Datagrams handed to a QUIC connection. */
  datagrams = 0;
  /** New connections not tracked because QUIC_CONNECTION_LIMIT was reached. */
  connectionsDropped = 0;


  /**
   * Takes one UDP datagram (ports and payload set in `t`, offsets into `buf`
   * from `base`); false when it is not QUIC, so the caller counts it as UDP.
   */
  datagram(t: TcpPacket, buf: Uint8Array, base: number, src: DatagramSource, time: number): boolean {
    const start = base + t.payloadOffset;
    const end = start + t.payloadLength;
    if (t.payloadLength === 0) return false;
    const srcAddr = t.ipVersion === 4 ? ipv4Text(t.src4) : t.src6;
    const dstAddr = t.ipVersion === 4 ? ipv4Text(t.dst4) : t.dst6;
    const key = `${srcAddr}|${t.srcPort}|${dstAddr}|${t.dstPort}`;
    let route = this.byTuple.get(key);
    if (route === undefined) {
      const h = parsePacketHeader(buf, start, end, 0);
      if (typeof h === 'string' || !h.long) return false;
      const known = this.byCid.get(hex(h.dcid));
      if (known !== undefined) {
        // A known connection on a new tuple: the side whose endpoint did not change keeps its role.
        const from: Direction = sameEndpoint(known.server, dstAddr, t.dstPort) || !sameEndpoint(known.client, dstAddr, t.dstPort) ? 'client' : 'server';
        route = { conn: known, from };
      } else {
        // A new connection starts with a client Initial, sent before any grease_quic_bit was agreed: fixed bit set.
        if (h.type !== 'Initial' || !h.fixedBit) return false;
        if (this.connections.length >= QUIC_CONNECTION_LIMIT) {
          this.connectionsDropped++;
          return false;
        }
        const client: Endpoint = { address: srcAddr, port: t.srcPort };
        const server: Endpoint = { address: dstAddr, port: t.dstPort };
        const conn = new QuicConnection(client, server, h);
        this.connections.push(conn);
        route = { conn, from: 'client' };
        this.byTuple.set(`${dstAddr}|${t.dstPort}|${srcAddr}|${t.srcPort}`, { conn, from: 'server' });
      }
      this.byTuple.set(key, route);
    }
    this.datagrams++;
    route.conn.datagram(route.from, buf, start, end, src, time);
    this.learnCids(route.conn);
    return true;
  }

  private learnCids(conn: QuicConnection): void {
    if (this.cidsKnown.get(conn) === conn.connectionIds.size) return;
    this.cidsKnown.set(conn, conn.connectionIds.size);
    for (const cid of conn.connectionIds) {
      // An empty CID names nothing; the first connection to use a CID keeps it.
      if (cid !== '' && !this.byCid.has(cid)) this.byCid.set(cid, conn);
    }
  }
}

function sameEndpoint(e: Endpoint, address: string, port: number): boolean {
  return e.address === address && e.port === port;
}
