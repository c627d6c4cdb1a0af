import type { ConnectionReport, PacketReport } from '../../../shared/analysis';
import type { ClockOffset, PairPacket } from '../../../shared/compare';
import { addPayloadHashes } from '../tcp/payloadHash';
import { minOf } from '../util/extremes';

/**
 * Packets of one matched connection, from both ends, joined: the same packet
 * seen at the sender and at the receiver becomes one PairPacket.
 *
 * Identity rests on what the path keeps: direction, stream offset of the
 * payload, acknowledged offset, length and the SYN/FIN/RST bits (all relative
 * to the initial sequence numbers, so a NAT that rewrites them changes
 * nothing). Payload hashes then tell a modified segment from a delivered one.
 * A segment can also arrive cut differently than it was sent: fragmented by a
 * router (each fragment is a packet of its own downstream), or captured as
 * one large segment on a host that offloads segmentation (TSO) or coalesces
 * on receipt (GRO). Those are paired by the stream bytes they cover, not
 * called dropped and injected.
 */

type Side = 'client' | 'relay';

interface Seen {
  p: PacketReport;
  used: boolean;
}

const CONTROL_FLAGS = /[SFR]/g;

function key(p: PacketReport): string {
  return `${p.from}|${p.seq}|${p.length}|${p.ack}|${(p.flags.match(CONTROL_FLAGS) ?? []).join('')}`;
}

function rangeKey(p: PacketReport): string {
  return `${p.from}|${p.seq}|${p.length}`;
}

/** Who sent it, in pair terms: the client, or the relay (the server side). */
function sender(p: PacketReport): Side {
  return p.from === 'client' ? 'client' : 'relay';
}

export interface JoinResult {
  packets: PairPacket[];
  /** one-way samples: relay time − client time for client→relay; client time − relay time for relay→client. */
  samples: { clientToRelay: number[]; relayToClient: number[] };
}

/** Joins the two timelines. Times stay on their own clocks here; offsets are applied later. */
export function joinPackets(client: ConnectionReport, relay: ConnectionReport): JoinResult {
  const cps = client.packets ?? [];
  const rps = relay.packets ?? [];
  // Index the receiving side of each direction by exact identity, and by range for "modified".
  const byKey = new Map<string, Seen[]>();
  const byRange = new Map<string, Seen[]>();
  const add = (m: Map<string, Seen[]>, k: string, s: Seen) => {
    const list = m.get(k);
    if (list) list.push(s);
    else m.set(k, [s]);
  };
  const relaySeen = rps.map((p) => ({ p, used: false }));
  const clientSeen = cps.map((p) => ({ p, used: false }));
  for (const s of relaySeen) if (sender(s.p) === 'client') { add(byKey, `r|${key(s.p)}`, s); add(byRange, `r|${rangeKey(s.p)}`, s); }
  for (const s of clientSeen) if (sender(s.p) === 'relay') { add(byKey, `c|${key(s.p)}`, s); add(byRange, `c|${rangeKey(s.p)}`, s); }

  const out: PairPacket[] = [];
  const samples = { clientToRelay: [] as number[], relayToClient: [] as number[] };
  const take = (list: Seen[] | undefined, hash: string | null): Seen | null => {
    if (!list) return null;
    for (const s of list) if (!s.used && (hash === null || s.p.payloadHash === hash)) { s.used = true; return s; }
    return null;
  };

  // Sent packets: the client's own in the client capture, the relay's own in the relay capture.
  const sent: Array<{ side: Side; p: PacketReport }> = [];
  for (const p of cps) if (sender(p) === 'client') sent.push({ side: 'client', p });
  for (const p of rps) if (sender(p) === 'relay') sent.push({ side: 'relay', p });

  // Each sent packet's pair, back to the packet (for the second pass).
  const origin = new Map<PairPacket, PacketReport>();
  for (const { side, p } of sent) {
    const other = side === 'client' ? 'r' : 'c';
    const exact = take(byKey.get(`${other}|${key(p)}`), p.payloadHash);
    let status: PairPacket['status'] = 'delivered';
    let seen = exact;
    if (!seen && p.length > 0) {
      // Same bytes range arrived with other contents: a middlebox rewrote it.
      const ranged = take(byRange.get(`${other}|${rangeKey(p)}`), null);
      if (ranged && ranged.p.payloadHash && p.payloadHash && ranged.p.payloadHash !== p.payloadHash) {
        seen = ranged;
        status = 'modified';
      } else if (ranged) {
        seen = ranged;
      }
    }
    if (!seen) status = 'dropped';
    const cp = side === 'client' ? p : seen?.p;
    const rp = side === 'relay' ? p : seen?.p;
    if (seen && status === 'delivered') {
      if (side === 'client') samples.clientToRelay.push(rp!.time - cp!.time);
      else samples.relayToClient.push(cp!.time - rp!.time);
    }
    const pp = pairPacket(side, status, cp, rp, p);
    origin.set(pp, p);
    out.push(pp);
  }
  pairResegmented(out, (pp) => origin.get(pp)!, relaySeen, clientSeen);
  // What arrived without having been sent: injected (or missed by the sender's capture).
  for (const s of relaySeen) if (sender(s.p) === 'client' && !s.used) out.push(pairPacket('client', 'injected', undefined, s.p, s.p));
  for (const s of clientSeen) if (sender(s.p) === 'relay' && !s.used) out.push(pairPacket('relay', 'injected', s.p, undefined, s.p));
  return { packets: out, samples };
}

/**
 * Second pass over what is still unpaired: runs of stream bytes that one end
 * sent as some packets and the other end received as other packets, cut
 * differently on the way (IP fragments, a router or middlebox resegmenting)
 * or in a capture (TSO on the sender, GRO on the receiver). A run pairs when
 * its sent packets and its received packets each cover the same bytes with
 * no hole. The payload hashes add up over pieces, so the bytes are compared
 * too: pieces that do not add up to the same sum carried other bytes
 * (modified, as for a segment rewritten in place).
 */
function pairResegmented(out: PairPacket[], sentOf: (pp: PairPacket) => PacketReport, relaySeen: Seen[], clientSeen: Seen[]): void {
  for (const side of ['client', 'relay'] as const) {
    const received = (side === 'client' ? relaySeen : clientSeen).filter((s) => sender(s.p) === side && !s.used && s.p.length > 0)
      .sort((a, b) => a.p.seq - b.p.seq);
    if (received.length === 0) continue;
    const dropped = out.filter((pp) => pp.from === side && pp.status === 'dropped' && pp.length > 0).sort((a, b) => a.seq - b.seq);
    let i = 0, j = 0;
    while (i < dropped.length && j < received.length) {
      const s0 = dropped[i].seq, r0 = received[j].p.seq;
      if (s0 !== r0) {
        if (s0 < r0) i++;
        else j++;
        continue;
      }
      // Grow both sides from the same start until they end at the same offset, contiguously.
      let a = i, b = j;
      let endS = s0 + dropped[i].length, endR = r0 + received[j].p.length;
      while (endS !== endR) {
        if (endS < endR) {
          if (++a >= dropped.length || dropped[a].seq !== endS) break;
          endS += dropped[a].length;
        } else {
          if (++b >= received.length || received[b].p.seq !== endR) break;
          endR += received[b].p.length;
        }
      }
      if (endS !== endR || (a === i && b === j)) {
        i++;
        j++;
        continue;
      }
      const got = received.slice(j, b + 1);
      for (const r of got) r.used = true;
      pairRun(side, dropped.slice(i, a + 1), got.map((r) => r.p), sentOf);
      i = a + 1;
      j = b + 1;
    }
  }
}

function pairRun(side: Side, sent: PairPacket[], got: PacketReport[], sentOf: (pp: PairPacket) => PacketReport): void {
  const same = sameBytes(sent.map(sentOf), got);
  const where = `${captureName(side)} packet${got.length > 1 ? 's' : ''} ${got.map((x) => `#${x.index + 1}`).join(', ')}`;
  const how = got.every((x) => x.notes.includes('fragment')) ? 'IP fragments' : 'TCP segments';
  const words = sent.length === 1
    ? `Arrived cut into ${got.length} ${how} (${where}); ${bytesWords(same)}.`
    : got.length === 1
      ? `Arrived joined with ${sent.length - 1} other segment${sent.length > 2 ? 's' : ''} in one packet (${where}), as a host that offloads segmentation (GRO, TSO) records them; ${bytesWords(same)}.`
      : `Sent as ${sent.length} segments, arrived as ${got.length} cut differently (${where}); ${bytesWords(same)}.`;
  const note = got.length === 1 ? 'coalesced' : 'resegmented';
  for (const pp of sent) {
    // Paired with the received packet that holds its first byte.
    const at = got.find((x) => x.seq <= pp.seq && pp.seq < x.seq + x.length) ?? got[0];
    deliver(pp, side, at, note, same, words);
  }
}

/** Whether two cuts of the same stream bytes carried the same bytes; null when a hash is missing or a packet was cut by the snaplen. */
function sameBytes(a: PacketReport[], b: PacketReport[]): boolean | null {
  const all = [...a, ...b];
  if (all.some((p) => !p.payloadHash || p.notes.includes('snaplen-cut'))) return null;
  const sum = (list: PacketReport[]) => addPayloadHashes(list.map((p) => parseInt(p.payloadHash, 16)));
  return sum(a) === sum(b);
}

/** The capture that received what `side` sent. */
function captureName(side: Side): string {
  return side === 'client' ? 'relay capture' : 'client capture';
}

function bytesWords(same: boolean | null): string {
  return same === null ? 'the bytes could not be compared (a packet was cut by the snapshot length)'
    : same ? 'together they carry exactly the bytes sent' : 'together they carry other bytes than were sent';
}

function deliver(pp: PairPacket, side: Side, received: PacketReport, note: string, same: boolean | null, evidence: string): void {
  pp.status = same === false ? 'modified' : 'delivered';
  pp.evidence = [...(pp.evidence ?? []), evidence];
  if (same === null) pp.notes.push('bytes-not-compared');
  if (side === 'client') {
    pp.relayIndex = received.index;
    pp.relayTime = received.time;
  } else {
    pp.clientIndex = received.index;
    pp.clientTime = received.time;
  }
  pp.notes.push(note);
}

export function pairPacket(from: Side, status: PairPacket['status'], cp: PacketReport | undefined, rp: PacketReport | undefined, p: PacketReport): PairPacket {
  const notes = p.notes.slice();
  const retrans = notes.includes('retransmission');
  return {
    from,
    status: status === 'delivered' && retrans ? 'retransmitted' : status,
    clientIndex: cp ? cp.index : -1,
    relayIndex: rp ? rp.index : -1,
    clientTime: cp ? cp.time : NaN,
    relayTime: rp ? rp.time : NaN,
    delay: null,
    flags: p.flags,
    seq: p.seq,
    length: p.length,
    tls: (cp ?? rp ?? p).tls.length > 0 ? (cp ?? rp ?? p).tls : p.tls,
    notes,
  };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * Offset of the relay capture's clock against the client's. With samples both
 * ways, NTP's reasoning on the smallest delays: d₁ = θ + δ₁ and d₂ = −θ + δ₂
 * give θ = (d₁ − d₂)/2 within ±(d₁ + d₂)/2. One way only: the smallest sample
 * bounds it, and the delay itself is unknown.
 */
export function estimateClockOffset(samples: JoinResult['samples']): ClockOffset {
  const a = samples.clientToRelay.filter(Number.isFinite);
  const b = samples.relayToClient.filter(Number.isFinite);
  const n = { clientToRelay: a.length, relayToClient: b.length };
  if (a.length > 0 && b.length > 0) {
    const d1 = minOf(a);
    const d2 = minOf(b);
    const theta = (d1 - d2) / 2;
    return { seconds: theta, uncertainty: Math.abs(d1 + d2) / 2, samples: n, method: 'two-way-median', oneWayDelay: (median(a) + median(b)) / 2 };
  }
  if (a.length > 0) return { seconds: minOf(a), uncertainty: Math.abs(median(a) - minOf(a)) + 1e-6, samples: n, method: 'one-way-minimum', oneWayDelay: null };
  if (b.length > 0) return { seconds: -minOf(b), uncertainty: Math.abs(median(b) - minOf(b)) + 1e-6, samples: n, method: 'one-way-minimum', oneWayDelay: null };
  return { seconds: 0, uncertainty: Number.POSITIVE_INFINITY, samples: n, method: 'none', oneWayDelay: null };
}

/**
 * Puts relay times on the client's clock, fills delays, sorts by time. The
 * "relay" time θ is subtracted: relay clock = client clock + θ.
 */
export function alignPackets(packets: PairPacket[], offset: ClockOffset): PairPacket[] {
  for (const p of packets) {
    if (!Number.isNaN(p.relayTime)) p.relayTime -= offset.seconds;
    if (!Number.isNaN(p.clientTime) && !Number.isNaN(p.relayTime)) {
      p.delay = p.from === 'client' ? p.relayTime - p.clientTime : p.clientTime - p.relayTime;
    }
  }
  const t = (p: PairPacket) => {
    // Order by when the packet left its sender (arrival for injected ones).
    const send = p.from === 'client' ? p.clientTime : p.relayTime;
    return Number.isNaN(send) ? (p.from === 'client' ? p.relayTime : p.clientTime) : send;
  };
  return packets.sort((x, y) => t(x) - t(y));
}
