/**
 * The two ends' timelines of one matched UDP connection (QUIC, DTLS) joined
 * datagram by datagram. UDP has no sequence numbers an observer can read
 * (QUIC's are header-protected, DTLS's change on every retransmission), but a
 * NAT rewrites only addresses and ports: the UDP payload arrives byte for
 * byte, so a datagram is recognised at the other end by its payload hash.
 * Retransmissions (a QUIC Initial or DTLS flight sent again) are new payloads
 * with their own hashes and are paired like any datagram; the sender's
 * timeline marks them (note `retransmission`).
 */
import type { ConnectionReport, PacketReport } from '../../../shared/analysis';
import type { PairPacket } from '../../../shared/compare';
import { pairPacket, type JoinResult } from './classifyPackets';

/** UDP-borne connections: every transport but TCP (which has no `transport`). */
export function isDatagramConnection(c: Pick<ConnectionReport, 'transport'>): boolean {
  return c.transport !== undefined;
}

interface Seen {
  p: PacketReport;
  used: boolean;
}

type Side = 'client' | 'relay';

export function joinDatagrams(client: ConnectionReport, relay: ConnectionReport): JoinResult {
  const out: PairPacket[] = [];
  const samples = { clientToRelay: [] as number[], relayToClient: [] as number[] };
  for (const side of ['client', 'relay'] as const) {
    // What `side` sent, from its own capture, and what the other end received of it.
    const own = (side === 'client' ? client.packets : relay.packets) ?? [];
    const other = (side === 'client' ? relay.packets : client.packets) ?? [];
    const from = side === 'client' ? 'client' : 'server';
    const sent = own.filter((p) => p.from === from);
    const received: Seen[] = other.filter((p) => p.from === from).map((p) => ({ p, used: false }));
    const byHash = new Map<string, Seen[]>();
    for (const s of received) {
      if (!s.p.payloadHash) continue;
      const list = byHash.get(s.p.payloadHash);
      if (list) list.push(s);
      else byHash.set(s.p.payloadHash, [s]);
    }
    // First pass: identical payloads. The receiver's position of each match anchors the second pass.
    const match: Array<Seen | null> = sent.map((p) => byHash.get(p.payloadHash)?.find((s) => !s.used && s.p.length === p.length) ?? null);
    for (const m of match) if (m) m.used = true;
    // Second pass: a datagram that did not arrive as sent, where the receiver got an unpaired datagram of the same
    // size between the same two delivered neighbours, arrived rewritten (or, without hashes, is taken as delivered).
    const position = new Map<Seen, number>(received.map((s, i) => [s, i]));
    let lowerBound = -1;
    const status: Array<PairPacket['status']> = sent.map((_, i) => (match[i] ? 'delivered' : 'dropped'));
    for (let i = 0; i < sent.length; i++) {
      const m = match[i];
      if (m) { lowerBound = position.get(m)!; continue; }
      let upper = received.length;
      for (let k = i + 1; k < sent.length; k++) { const n = match[k]; if (n) { upper = position.get(n)!; break; } }
      for (let j = lowerBound + 1; j < upper; j++) {
        const r = received[j];
        if (r.used || r.p.length !== sent[i].length) continue;
        r.used = true;
        match[i] = r;
        lowerBound = j;
        status[i] = sent[i].payloadHash && r.p.payloadHash ? 'modified' : 'delivered';
        break;
      }
    }
    for (let i = 0; i < sent.length; i++) {
      const p = sent[i];
      const seen = match[i]?.p;
      const cp = side === 'client' ? p : seen;
      const rp = side === 'relay' ? p : seen;
      if (seen && status[i] === 'delivered') {
        if (side === 'client') samples.clientToRelay.push(rp!.time - cp!.time);
        else samples.relayToClient.push(cp!.time - rp!.time);
      }
      const pp = pairPacket(side, status[i], cp, rp, p);
      if (status[i] === 'modified') pp.evidence = [`Arrived with ${p.length} bytes like the datagram sent, but other bytes (payload hash ${seen!.payloadHash}, sent ${p.payloadHash}).`];
      out.push(pp);
    }
    for (const s of received) if (!s.used) out.push(pairPacket(side as Side, 'injected', side === 'client' ? undefined : s.p, side === 'client' ? s.p : undefined, s.p));
  }
  return { packets: out, samples };
}
