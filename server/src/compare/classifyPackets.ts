import type { ConnectionReport, PacketReport } from '../../../shared/analysis';
import type { ClockOffset, PairPacket } from '../../../shared/compare';
import { addPayloadHashes } from '../tcp/payloadHash';

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
 * Second pass over what is still unpaired: a sent segment whose bytes arrived
 * exactly covered by several received packets (cut on the way), or several
 * sent segments exactly covering one received packet (joined in the
 * receiver's capture). The payload hashes add up over pieces, so the bytes
 * are compared too: pieces whose hashes do not sum to the whole's carried
 * other bytes (modified, as for a segment rewritten in place).
 */
function pairResegmented(out: PairPacket[], sentOf: (pp: PairPacket) => PacketReport, relaySeen: Seen[], clientSeen: Seen[]): void {
  for (const side of ['client', 'relay'] as const) {
    const received = (side === 'client' ? relaySeen : clientSeen).filter((s) => sender(s.p) === side && !s.used && s.p.length > 0);
    if (received.length === 0) continue;
    const dropped = out.filter((pp) => pp.from === side && pp.status === 'dropped' && pp.length > 0);
    for (const pp of dropped) {
      const parts = tiling(received.filter((s) => !s.used && s.p.seq >= pp.seq && s.p.seq + s.p.length <= pp.seq + pp.length).map((s) => s.p), pp.seq, pp.seq + pp.length);
      if (!parts) continue;
      for (const s of received) if (parts.includes(s.p)) s.used = true;
      const same = sameBytes([sentOf(pp)], parts);
      const how = parts.every((x) => x.notes.includes('fragment')) ? 'IP fragments' : 'TCP segments';
      deliver(pp, side, parts[0], 'resegmented', same,
        `Arrived cut into ${parts.length} ${how} (${captureName(side)} packets ${parts.map((x) => `#${x.index + 1}`).join(', ')}); ${bytesWords(same)}.`);
    }
    for (const r of received) {
      if (r.used) continue;
      const covering = dropped.filter((pp) => pp.status === 'dropped' && pp.seq >= r.p.seq && pp.seq + pp.length <= r.p.seq + r.p.length);
      if (covering.length < 2 || !tiling(covering, r.p.seq, r.p.seq + r.p.length)) continue;
      r.used = true;
      const same = sameBytes(covering.map(sentOf), [r.p]);
      const words = `Arrived joined with ${covering.length - 1} other segment${covering.length > 2 ? 's' : ''} in one packet (${captureName(side)} packet #${r.p.index + 1}), ` +
        `as a host that offloads segmentation (GRO, TSO) records them; ${bytesWords(same)}.`;
      for (const pp of covering) deliver(pp, side, r.p, 'coalesced', same, words);
    }
  }
}

/** The pieces, in stream order, that cover [from, to) with no hole; null when they do not. */
function tiling<T extends { seq: number; length: number }>(list: T[], from: number, to: number): T[] | null {
  const sorted = [...list].sort((a, b) => a.seq - b.seq);
  const used: T[] = [];
  let at = from;
  for (const x of sorted) {
    if (x.seq > at) return null;
    if (x.seq + x.length <= at) continue;
    used.push(x);
    at = x.seq + x.length;
    if (at >= to) return used;
  }
  return null;
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

function pairPacket(from: Side, status: PairPacket['status'], cp: PacketReport | undefined, rp: PacketReport | undefined, p: PacketReport): PairPacket {
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
    const d1 = Math.min(...a);
    const d2 = Math.min(...b);
    const theta = (d1 - d2) / 2;
    return { seconds: theta, uncertainty: Math.abs(d1 + d2) / 2, samples: n, method: 'two-way-median', oneWayDelay: (median(a) + median(b)) / 2 };
  }
  if (a.length > 0) return { seconds: Math.min(...a), uncertainty: Math.abs(median(a) - Math.min(...a)) + 1e-6, samples: n, method: 'one-way-minimum', oneWayDelay: null };
  if (b.length > 0) return { seconds: -Math.min(...b), uncertainty: Math.abs(median(b) - Math.min(...b)) + 1e-6, samples: n, method: 'one-way-minimum', oneWayDelay: null };
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
