/**
 * Routes UDP datagrams to DTLS associations by 5-tuple. A tuple becomes DTLS
 * when a datagram on it starts a DTLS handshake (record.ts
 * startsDtlsHandshake); from then on everything on it is the association's,
 * demultiplexed by first byte (RFC 7983): STUN, DTLS, SRTP/SRTCP. STUN seen on
 * a tuple before its DTLS is kept aside (bounded) and handed to the
 * association when it starts, since the ICE checks come first in WebRTC.
 */
import type { Endpoint } from '../../../shared/analysis';
import type { TcpPacket } from '../net/tcpPacket';
import { ipv4Text } from '../net/tcpPacket';
import type { DatagramSource } from '../quic/connection';
import { DtlsConnection, type Side } from './connection';
import { startsDtlsHandshake } from './record';
import type { HeldBytes } from './reassembly';
import { parseStun, type StunMessage } from './stun';

/** Associations tracked at once: spoofed ClientHellos from many tuples must not grow memory without bound. */
export const DTLS_CONNECTION_LIMIT = 20000;
/** Tuples whose STUN is kept while waiting for DTLS, and STUN messages kept per tuple. */
const STUN_FLOW_LIMIT = 4096;
const STUN_PER_FLOW = 16;
/** Handshake bytes held for reassembly across all associations when no memory budget is given. */
export const DEFAULT_HELD_LIMIT = 64 << 20;

interface Route {
  conn: DtlsConnection;
  side: Side;
}

interface PendingStun {
  /** The tuple key of the sender of the first STUN message. */
  firstKey: string;
  messages: Array<{ key: string; packet: number; message: StunMessage; time: number; size: number; ttl: number; ipId: number }>;
}

export class DtlsConnectionTable {
  private readonly byTuple = new Map<string, Route>();
  private readonly pendingStun = new Map<string, PendingStun>();
  readonly connections: DtlsConnection[] = [];
  readonly held: HeldBytes;
  datagrams = 0;
  connectionsDropped = 0;
  /** STUN datagrams counted as plain UDP before their tuple turned out to be DTLS; the caller moves them over and zeroes this. */
  adopted = 0;

  constructor(heldLimit = DEFAULT_HELD_LIMIT) {
    this.held = { held: 0, limit: heldLimit };
  }

  /** Takes one UDP datagram; false when it is not (yet) part of a DTLS association. */
  datagram(t: TcpPacket, buf: Uint8Array, base: number, src: DatagramSource, time: number): boolean {
    if (t.payloadLength === 0) return false;
    const start = base + t.payloadOffset;
    const end = start + t.payloadLength;
    const srcAddr = t.ipVersion === 4 ? ipv4Text(t.src4) : t.src6;
    const dstAddr = t.ipVersion === 4 ? ipv4Text(t.dst4) : t.dst6;
    const key = `${srcAddr}|${t.srcPort}|${dstAddr}|${t.dstPort}`;
    let route = this.byTuple.get(key);
    if (route === undefined) {
      const back = `${dstAddr}|${t.dstPort}|${srcAddr}|${t.srcPort}`;
      if (!startsDtlsHandshake(buf, start, end)) {
        if (buf[start] <= 3) this.keepStun(key, back, buf, start, end, src, time);
        return false;
      }
      if (this.connections.length >= DTLS_CONNECTION_LIMIT) {
        this.connectionsDropped++;
        return false;
      }
      const pending = this.pendingStun.get(key) ?? this.pendingStun.get(back);
      // Side 'a' sent the first datagram seen on the tuple, STUN included.
      const aKey = pending?.firstKey ?? key;
      const forward = aKey === key;
      const me: Endpoint = { address: srcAddr, port: t.srcPort };
      const peer: Endpoint = { address: dstAddr, port: t.dstPort };
      const conn = new DtlsConnection(forward ? me : peer, forward ? peer : me, this.held);
      this.connections.push(conn);
      route = { conn, side: forward ? 'a' : 'b' };
      this.byTuple.set(key, route);
      this.byTuple.set(back, { conn, side: forward ? 'b' : 'a' });
      if (pending) {
        this.pendingStun.delete(key);
        this.pendingStun.delete(back);
        for (const s of pending.messages) {
          const side: Side = s.key === aKey ? 'a' : 'b';
          conn.adoptStun(side, s.message, { packet: s.packet, time: s.time, size: s.size, ttl: s.ttl, ipId: s.ipId });
          this.adopted++;
        }
      }
    }
    this.datagrams++;
    route.conn.datagram(route.side, buf, start, end, src, time);
    return true;
  }

  private keepStun(key: string, back: string, buf: Uint8Array, start: number, end: number, src: DatagramSource, time: number): void {
    const message = parseStun(buf, start, end);
    if (message === null) return;
    const flowKey = key < back ? key : back;
    let flow = this.pendingStun.get(flowKey);
    if (flow === undefined) {
      if (this.pendingStun.size >= STUN_FLOW_LIMIT) return;
      flow = { firstKey: key, messages: [] };
      this.pendingStun.set(flowKey, flow);
    }
    if (flow.messages.length < STUN_PER_FLOW) flow.messages.push({ key, packet: src.packet, message, time, size: end - start, ttl: src.ttl, ipId: src.ipId });
  }
}
