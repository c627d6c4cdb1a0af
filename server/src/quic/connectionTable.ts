/**
 * Routes UDP datagrams to QUIC connections: by 5-tuple first, then by
 * connection ID, so a client that changes port (NAT rebinding, migration)
 * stays one connection. A datagram on an unknown 5-tuple is QUIC only when it
 * starts with a long-header Initial of a known version (a new connection) or
 * names a connection ID already seen; anything else stays "UDP".
 */
import { Buffer } from 'node:buffer';
import type { Endpoint } from '../../../shared/analysis';
import type { KeyStore } from '../decrypt/keyStore';
import type { TcpPacket } from '../net/tcpPacket';
import { ipv4Text } from '../net/tcpPacket';
import type { Direction } from '../tls/types';
import { DATAGRAM_LIMIT, DATAGRAMS_WITHOUT_TIMELINE, QuicConnection, hex, type DatagramSource } from './connection';
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
  /** Connection ID → its connection and the side that receives packets carrying it as Destination Connection ID. */
  private readonly byCid = new Map<string, { conn: QuicConnection; receiver: Direction }>();
  /** Lengths of the CIDs in byCid: a short header does not say how long its DCID is. */
  private readonly cidLengths = new Set<number>();
  readonly connections: QuicConnection[] = [];
  /** Datagrams handed to a QUIC connection. */
  datagrams = 0;
  /** New connections not tracked because QUIC_CONNECTION_LIMIT was reached. */
  connectionsDropped = 0;
  /** Hash each datagram's payload for the timeline (compare pairs datagrams by it); off when no timeline is asked for. */
  hashPayloads = false;
  /** A packet timeline is asked for: keep up to DATAGRAM_LIMIT datagrams per connection, else only those the report lists. */
  timeline = false;
  /** The run's keys (issue #14): a connection the key logs have secrets for gets its Handshake packets decrypted. */
  keys: KeyStore | null = null;

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
      if (typeof h === 'string') return false;
      const known = h.long ? this.byCid.get(hex(h.dcid)) : this.shortHeaderCid(buf, start, end);
      if (known === undefined && !h.long) return false;
      if (known !== undefined) {
        // A known connection on a new tuple (NAT rebinding, migration): the DCID says who receives the packet.
        route = { conn: known.conn, from: known.receiver === 'server' ? 'client' : 'server' };
      } else {
        // A new connection starts with a client Initial, sent before any grease_quic_bit was agreed: fixed bit set.
        if (h.type !== 'Initial' || !h.fixedBit) return false;
        if (this.connections.length >= QUIC_CONNECTION_LIMIT) {
          this.connectionsDropped++;
          return false;
        }
        const client: Endpoint = { address: srcAddr, port: t.srcPort };
        const server: Endpoint = { address: dstAddr, port: t.dstPort };
        const conn = new QuicConnection(client, server, h, this.hashPayloads, this.timeline ? DATAGRAM_LIMIT : DATAGRAMS_WITHOUT_TIMELINE,
          // As for TCP (analyzer.ts): a store still empty when the connection starts is not consulted.
          this.keys !== null && this.keys.size > 0 ? this.keys : null);
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

  /** A short-header packet on a new tuple: its DCID, tried at every known CID length. */
  private shortHeaderCid(buf: Uint8Array, start: number, end: number): { conn: QuicConnection; receiver: Direction } | undefined {
    for (const n of this.cidLengths) {
      if (start + 1 + n > end) continue;
      const hit = this.byCid.get(hex(buf.subarray(start + 1, start + 1 + n)));
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  private learnCids(conn: QuicConnection): void {
    // Connection IDs issued in NEW_CONNECTION_ID frames, known only when a key log opened the 1-RTT packets: a
    // client that migrates (or is rebound) uses them on its new path, which is then still this connection.
    const issued = conn.application?.newConnectionIds;
    if (issued !== undefined && issued.length > conn.issuedCidsLearned) {
      for (const n of issued.slice(conn.issuedCidsLearned)) this.learnCid(conn, Buffer.from(n.connectionId, 'hex'), n.from);
      conn.issuedCidsLearned = issued.length;
    }
    if (conn.cidsLearned) return;
    this.learnCid(conn, conn.originalDcid, 'server');
    this.learnCid(conn, conn.clientScid, 'client');
    this.learnCid(conn, conn.serverScid, 'server');
    conn.cidsLearned = conn.clientScid !== null && conn.serverScid !== null;
  }

  /** `receiver`: the side that receives packets carrying `cid` as Destination Connection ID (the side that chose it). */
  private learnCid(conn: QuicConnection, cid: Uint8Array | null, receiver: Direction): void {
    // An empty CID names nothing; the first connection to use a CID keeps it.
    if (cid === null || cid.length === 0) return;
    const k = hex(cid);
    if (!this.byCid.has(k)) this.byCid.set(k, { conn, receiver });
    // Short CIDs would match stray UDP (DNS, STUN…) too often to claim a datagram by them.
    if (cid.length >= 4) this.cidLengths.add(cid.length);
  }
}

