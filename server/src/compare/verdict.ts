import type { ConnectionReport, PacketReport } from '../../../shared/analysis';
import type { ClockOffset, Interference, PairPacket, PathDirection } from '../../../shared/compare';
import { maxOf } from '../util/extremes';
import { isDatagramConnection } from './joinDatagrams';

/** Time of day, UTC, to the millisecond: what researchers line up against their dumps. */
const fmtTime = (t: number): string => (Number.isFinite(t) ? new Date(t * 1000).toISOString().slice(11, 23) : '?');

/** Seconds in the unit a reader takes in at a glance. */
export function fmtDuration(s: number): string {
  const a = Math.abs(s);
  if (a < 1e-3) return `${Math.round(s * 1e6)} µs`;
  if (a < 1) return `${(s * 1e3).toFixed(1)} ms`;
  return `${s.toFixed(3)} s`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The lower of the two middle values (or the middle one): always a value that
 * was actually seen, which is what a TTL or window comparison needs (the mean
 * of 63 and 64 is no TTL any packet carried). Clock offsets use a true median
 * (classifyPackets.ts).
 */
function observedMedian(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/** The relay's and client's own packets as the other end normally sees them: the yardstick for spotting forgeries. */
function genuineTraits(packets: PairPacket[], from: 'client' | 'relay', at: PacketReport[]): { ttl: number | null; window: number | null } {
  const indexes = new Set(packets.filter((p) => p.from === from && (p.status === 'delivered' || p.status === 'retransmitted')).map((p) => (from === 'relay' ? p.clientIndex : p.relayIndex)));
  const seen = at.filter((p) => indexes.has(p.index));
  return { ttl: observedMedian(seen.map((p) => p.ttl).filter((t) => t >= 0)), window: observedMedian(seen.map((p) => p.window)) };
}

/** Judges one matched connection from both ends. */
/**
 * A pcap does not record when capturing stopped, so a packet sent after the
 * receiver's last captured packet may have been dropped or merely missed.
 * Censors that blackhole a connection produce exactly that picture, so such
 * packets stay "dropped" and the verdict says what the files cannot tell.
 */
export function judgePair(packets: PairPacket[], client: ConnectionReport, relay: ConnectionReport, offset: ClockOffset): Interference {
  const evidence: string[] = [];
  const injected = packets.filter((p) => p.status === 'injected');
  const dropped = packets.filter((p) => p.status === 'dropped');
  const modified = packets.filter((p) => p.status === 'modified');

  for (const p of injected) {
    const receiverPackets = (p.from === 'relay' ? client.packets : relay.packets) ?? [];
    const rp = receiverPackets.find((x) => x.index === (p.from === 'relay' ? p.clientIndex : p.relayIndex));
    const genuine = genuineTraits(packets, p.from, receiverPackets);
    const ev: string[] = [];
    if (rp && genuine.ttl !== null && rp.ttl >= 0 && rp.ttl !== genuine.ttl) ev.push(`TTL ${rp.ttl} where the ${p.from}'s genuine packets arrive with TTL ${genuine.ttl}`);
    if (rp && genuine.window !== null && rp.window !== genuine.window && p.flags.includes('R')) ev.push(`window ${rp.window} unlike the ${p.from}'s ${genuine.window}`);
    if (rp && rp.ipId === 0) ev.push('IP ID 0');
    ev.push(`never sent by the ${p.from} (absent from the ${p.from}'s capture)`);
    p.evidence = ev;
  }

  const resets = injected.filter((p) => p.flags.includes('R'));
  if (resets.length > 0) {
    // One sentence per direction a forged RST went: a censor that resets both ends is named both ways in the headline.
    const firstOf = (['relay', 'client'] as const).map((from) => resets.find((p) => p.from === from)).filter((p): p is PairPacket => p !== undefined);
    for (const r of firstOf) {
      const toward = r.from === 'relay' ? 'client' : 'relay';
      evidence.push(`The ${toward} received a RST claiming to come from the ${r.from} at ${fmtTime(toward === 'client' ? r.clientTime : r.relayTime)}, which the ${r.from} never sent: ${(r.evidence ?? []).join('; ')}.`);
    }
    const r = resets[0];
    const firstMissing = firstMissingMessage(packets, r.from === 'relay' ? 'relay' : 'client') ?? firstMissingMessage(packets, r.from === 'relay' ? 'client' : 'relay');
    if (firstMissing) evidence.push(`The ${firstMissing.from}'s ${firstMissing.name} never reached the ${firstMissing.from === 'relay' ? 'client' : 'relay'}.`);
    addDropStory(evidence, dropped);
    const direction: PathDirection = firstOf.length > 1 ? 'both' : r.from === 'relay' ? 'relay-to-client' : 'client-to-relay';
    return {
      kind: 'injected-reset', direction,
      firstMissingTlsMessage: firstMissing?.name ?? null,
      confidence: firstOf.some((x) => (x.evidence?.length ?? 0) > 1) ? 0.9 : 0.7, evidence,
    };
  }

  if (modified.length > 0) {
    const m = modified[0];
    evidence.push(`${plural(modified.length, 'segment')} arrived with the same sequence range but different bytes; the first, from the ${m.from} at ${fmtTime(m.from === 'client' ? m.clientTime : m.relayTime)}${m.tls.length ? ` carrying ${m.tls.join(', ')}` : ''}.`);
    return { kind: 'modified', direction: m.from === 'client' ? 'client-to-relay' : 'relay-to-client', firstMissingTlsMessage: null, confidence: 0.8, evidence };
  }

  const dataDrops = dropped.filter((p) => p.length > 0 || /[SFR]/.test(p.flags));
  if (dataDrops.length > 0) {
    const first = dataDrops[0];
    const missing = firstMissingMessage(packets, first.from) ?? firstMissingMessage(packets, first.from === 'client' ? 'relay' : 'client');
    const direction: PathDirection = first.from === 'relay' ? 'relay-to-client' : 'client-to-relay';
    const sentAt = first.from === 'client' ? first.clientTime : first.relayTime;
    // A datagram has no stream offset: its copies are the retransmissions its sender's timeline marks.
    const udp = isDatagramConnection(client) || isDatagramConnection(relay);
    const copies = udp
      ? 1 + dataDrops.filter((p) => p.from === first.from && p !== first && p.notes.includes('retransmission')).length
      : dataDrops.filter((p) => p.from === first.from && p.seq === first.seq && p.length === first.length).length;
    const what = first.tls.length > 0 ? `its ${first.tls.join(' + ')}` : first.length > 0 ? `${first.length} bytes` : `a ${first.flags} segment`;
    const receiver = first.from === 'relay' ? 'client' : 'relay';
    evidence.push(`The ${first.from} sent ${what} at ${fmtTime(sentAt)}${copies > 1 ? ` and retransmitted it ${copies - 1} time${copies === 2 ? '' : 's'}` : ''}; the ${receiver} never received it.`);
    const delivered = packets.filter((p) => (p.status === 'delivered' || p.status === 'retransmitted'));
    const lastPassed = delivered.filter((p) => p.tls.length > 0).pop();
    if (lastPassed) evidence.push(`The last TLS data that got through was the ${lastPassed.from}'s ${lastPassed.tls.join(' + ')}.`);
    const later = dataDrops.filter((p) => p.from !== first.from);
    if (later.length > 0) evidence.push(`After that, ${plural(later.length, udp ? 'datagram' : 'segment')} from the ${later[0].from} never reached the ${later[0].from === 'client' ? 'relay' : 'client'} either: the connection was blackholed in both directions.`);
    const afterDrop = delivered.filter((p) => (p.from === 'client' ? p.clientTime : p.relayTime) > sentAt);
    if (afterDrop.length === 0) evidence.push('Nothing sent after that point arrived at the other end.');
    evidence.push(`Clock offset between the captures: ${fmtDuration(offset.seconds)} ± ${Number.isFinite(offset.uncertainty) ? fmtDuration(offset.uncertainty) : '?'} (${offset.method === 'two-way-median' ? 'from packets both ways' : offset.method === 'one-way-minimum' ? 'from one direction only: includes the path delay' : 'unknown'}).`);
    const receiverLast = receiver === 'client' ? client.endTime : relay.endTime - offset.seconds;
    let confidence = 0.6;
    if (sentAt > receiverLast) {
      evidence.push(`The ${receiver}'s capture holds nothing after ${fmtTime(receiverLast)}, before this was sent: if that capture had stopped early the packet could not have been seen, so check that it ran as long as the ${first.from}'s.`);
      confidence -= 0.1;
    }
    if (copies > 1) confidence += 0.2;
    if (afterDrop.length === 0) confidence += 0.1;
    if (delivered.length > 0) confidence += 0.05;
    return {
      kind: 'drop', direction,
      firstMissingTlsMessage: missing?.name ?? null, confidence: Math.min(0.95, confidence), evidence,
    };
  }

  if (packets.length > 0 && packets.every((p) => p.status === 'delivered' || p.status === 'retransmitted' || p.status === 'not-observed')) {
    evidence.push(`All ${plural(packets.length, 'packet')} sent by either end arrived at the other.`);
    return { kind: 'none', direction: null, firstMissingTlsMessage: null, confidence: 0.9, evidence };
  }
  const lost = dropped.length;
  evidence.push(lost > 0 ? `${plural(lost, 'pure ACK')} went missing, nothing that carried data: not enough to tell interference from ordinary loss.` : 'The two views disagree in ways that fit no single explanation.');
  return { kind: 'undetermined', direction: null, firstMissingTlsMessage: null, confidence: 0.3, evidence };
}

function addDropStory(evidence: string[], dropped: PairPacket[]): void {
  const withData = dropped.filter((p) => p.length > 0);
  if (withData.length > 0) evidence.push(`${plural(withData.length, 'data segment')} sent by one end never arrived at the other.`);
}

/** First TLS message from `from` none of whose copies arrived. */
function firstMissingMessage(packets: PairPacket[], from: 'client' | 'relay'): { name: string; from: 'client' | 'relay' } | null {
  const arrived = new Set<string>();
  for (const p of packets) if (p.from === from && (p.status === 'delivered' || p.status === 'retransmitted')) for (const m of p.tls) arrived.add(m);
  for (const p of packets) {
    if (p.from !== from || p.status !== 'dropped') continue;
    for (const m of p.tls) if (!arrived.has(m)) return { name: m, from };
  }
  return null;
}

const INITIAL_TTLS = new Set([64, 128, 255]);

/**
 * Which end a single capture was taken at, from TTLs: a host's own packets
 * are captured before any router decrements them (64, 128 or 255), the peer's
 * arrive lower. Null when that does not settle it (loopback, a hop count of 0).
 */
export function captureSide(conn: ConnectionReport): 'client' | 'relay' | null {
  const ps = conn.packets ?? [];
  const c = observedMedian(ps.filter((p) => p.from === 'client' && p.ttl >= 0).map((p) => p.ttl));
  const s = observedMedian(ps.filter((p) => p.from === 'server' && p.ttl >= 0).map((p) => p.ttl));
  if (c === null || s === null || c === s) return null;
  if (INITIAL_TTLS.has(c) && s < c) return 'client';
  if (INITIAL_TTLS.has(s) && c < s) return 'relay';
  return null;
}

/** What one capture alone can say about a connection, and nothing more. */
export function judgeSingle(conn: ConnectionReport): Interference {
  const ps = conn.packets ?? [];
  const evidence: string[] = [];
  const side = captureSide(conn);
  const name = (from: 'client' | 'server') => (from === 'client' ? 'client' : side === 'relay' ? 'relay' : 'server');
  if (side) {
    const own = side === 'client' ? 'client' : 'server';
    const ownTtl = observedMedian(ps.filter((p) => p.from === own && p.ttl >= 0).map((p) => p.ttl));
    const peerTtl = observedMedian(ps.filter((p) => p.from !== own && p.ttl >= 0).map((p) => p.ttl));
    evidence.push(`This capture was taken at the ${side}: its own packets leave with TTL ${ownTtl}, the peer's arrive with TTL ${peerTtl}.`);
  }
  for (const from of ['client', 'server'] as const) {
    const sent = ps.filter((p) => p.from === from && p.length > 0);
    if (sent.length === 0) continue;
    const acks = ps.filter((p) => p.from !== from && p.ack >= 0).map((p) => p.ack);
    const maxAck = maxOf(acks, -1);
    const unacked = sent.filter((p) => maxAck < p.seq + p.length);
    if (unacked.length === 0) continue;
    const first = unacked[0];
    const copies = unacked.filter((p) => p.seq === first.seq && p.length === first.length).length;
    const what = first.tls.length ? first.tls.join(' + ') : `${first.length} bytes`;
    const peer = from === 'client' ? 'server' : 'client';
    evidence.push(`The ${name(from)} sent ${what} at ${fmtTime(first.time)}${copies > 1 ? ` and retransmitted it ${copies - 1} time${copies === 2 ? '' : 's'}` : ''}; the ${name(peer)} never acknowledged it in this capture.`);
  }
  const lastData = ps.filter((p) => p.length > 0).pop();
  const silent = (['client', 'server'] as const).filter((f) => !ps.some((p) => p.from === f && p.length > 0));
  for (const f of silent) if (lastData) evidence.push(`No data at all came from the ${name(f)}.`);
  for (const from of ['client', 'server'] as const) {
    const rst = ps.find((p) => p.from === from && p.flags.includes('R'));
    if (!rst) continue;
    const usual = observedMedian(ps.filter((p) => p.from === from && !p.flags.includes('R') && p.ttl >= 0).map((p) => p.ttl));
    evidence.push(`A RST from the ${name(from)} side appears at ${fmtTime(rst.time)}${usual !== null && rst.ttl >= 0 && rst.ttl !== usual ? ` with TTL ${rst.ttl}, unlike that side's other packets (TTL ${usual}): possibly forged, but one capture cannot prove it` : ''}.`);
  }
  if (!conn.tcp.fin.client && !conn.tcp.fin.server && !conn.tcp.rst && lastData) evidence.push('The connection ends without FIN or RST: it timed out or the capture stopped.');
  if (conn.messages.length > 0) evidence.push(`TLS messages seen: ${conn.messages.map((m) => `${name(m.from)}: ${m.name}`).join(', ')}.`);
  evidence.push('With one vantage point it cannot be told where packets were lost or whether they were forged; compare with a capture from the other end.');
  return { kind: 'undetermined', direction: null, firstMissingTlsMessage: null, confidence: 0.2, evidence };
}
