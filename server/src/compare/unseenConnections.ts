/**
 * Connections only one capture has. A client connection the relay never saw
 * is evidence when the relay's capture was running at the time and saw the
 * client reach the same server otherwise: everything the client sent was
 * dropped on the way. That is how a blocked flow looks from the two ends,
 * and how the Great Firewall's residual QUIC blocking looks (after one
 * blocked Initial, every new flow on the client–server–port triple vanishes
 * for about 180 s). Such a connection becomes a pair with `relay: null`.
 * The mirror image — a relay connection from the client's address that the
 * client's capture, running at the time, never sent — was forged on the way.
 */
import type { ConnectionReport, Endpoint } from '../../../shared/analysis';
import type { ClockOffset, ConnectionPair, Interference, PairPacket } from '../../../shared/compare';
import { MULTIPLEXED_LABEL } from '../output/dtlsReport';
import { pairPacket } from './classifyPackets';
import { isDatagramConnection } from './joinDatagrams';
import type { CaptureBriefs, ConnectionBrief } from './connectionBrief';
import { fmtDuration } from './verdict';

const fmtTime = (t: number): string => (Number.isFinite(t) ? new Date(t * 1000).toISOString().slice(11, 23) : '?');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const endpointKey = (e: Endpoint) => `${e.address}|${e.port}`;
/** Client address, server address and port: what residual blocking keys on. */
const tripleKey = (c: ConnectionBrief) => `${c.client.address}|${endpointKey(c.server)}`;
function addTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
const endpoint = (e: Endpoint) => (e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`);

/**
 * When the capture ran: the first and last packet of any kind (its input's time span; a pcap does not record when
 * capturing started or stopped). An analysis without one (made before it was recorded) falls back on its connections.
 */
function coverage(a: CaptureBriefs): { start: number; end: number } | null {
  if (a.input.timeSpan) return { start: a.input.timeSpan.first, end: a.input.timeSpan.last };
  let start = Infinity;
  let end = -Infinity;
  for (const c of a.connections) {
    if (Number.isFinite(c.startTime)) start = Math.min(start, c.startTime);
    if (Number.isFinite(c.endTime)) end = Math.max(end, c.endTime);
  }
  return start <= end ? { start, end } : null;
}

/**
 * The one server every connection of the client's capture went to, when the relay's capture holds no connection at
 * all (e.g. only the ICMP that shows it ran): nothing at the relay names its server, and a client capture that
 * reached a single server is the capture of the connections to the relay. Null when the client reached several.
 */
function soleServer(client: CaptureBriefs, relay: CaptureBriefs): string | null {
  if (relay.connections.length > 0 || client.connections.length === 0) return null;
  const servers = new Set(client.connections.map((c) => endpointKey(c.server)));
  return servers.size === 1 ? [...servers][0] : null;
}

/** The clock offset of the matched pairs (median of those that have one): a connection the relay never saw has none of its own. */
function sharedOffset(offsets: ClockOffset[]): ClockOffset {
  const known = offsets.filter((o) => o.method !== 'none').sort((a, b) => a.seconds - b.seconds);
  if (known.length === 0) return { seconds: 0, uncertainty: Number.POSITIVE_INFINITY, samples: { clientToRelay: 0, relayToClient: 0 }, method: 'none', oneWayDelay: null };
  const mid = known[(known.length - 1) >> 1];
  // No packet of this connection was seen at both ends: the offset is borrowed, so the method says none.
  return { ...mid, samples: { clientToRelay: 0, relayToClient: 0 }, method: 'none' };
}

export interface UnseenResult {
  /** Pairs with `relay: null`, without suspects (the caller evaluates them). */
  pairs: Array<{ pair: Omit<ConnectionPair, 'suspects'>; connection: ConnectionReport }>;
  unmatchedClient: number[];
  /** Client connections toward the relay sent while the relay's capture was not running (also in unmatchedClient). */
  uncovered: Array<{ client: number; evidence: string[] }>;
  spoofed: Array<{ relay: number; evidence: string[] }>;
  unmatchedRelay: number[];
}

/** A matched pair as the search for unseen connections reads it. */
export interface JudgedMatch {
  client: ConnectionBrief;
  relay: ConnectionBrief;
  clockOffset: ClockOffset;
  interference: Pick<Interference, 'kind'>;
}

/** `load`: a client connection's report by id (only the ones that vanished are read whole). */
export function unseenConnections(
  client: CaptureBriefs, relay: CaptureBriefs, matches: readonly JudgedMatch[],
  unmatchedClient: number[], unmatchedRelay: number[], load: (id: number) => ConnectionReport,
): UnseenResult {
  const offset = sharedOffset(matches.map((m) => m.clockOffset));
  const result: UnseenResult = { pairs: [], unmatchedClient: [], uncovered: [], spoofed: [], unmatchedRelay: [] };
  const relayCover = coverage(relay);
  const clientCover = coverage(client);

  // Servers the client reached through the relay (as the client addresses them), and what the relay saw of servers.
  const reached = new Set(matches.map((m) => endpointKey(m.client.server)));
  const relayServers = new Set(relay.connections.map((r) => endpointKey(r.server)));
  const relayNames = new Set(relay.connections.map((r) => r.serverName).filter((n): n is string => !!n));
  const sole = soleServer(client, relay);
  const clientById = new Map(client.connections.map((c) => [c.id, c]));
  const vanished: ConnectionBrief[] = [];
  const soleEvidence = new Map<number, string>();
  for (const id of unmatchedClient) {
    const c = clientById.get(id);
    const start = c ? c.firstSent : NaN;
    const towardRelay = !!c && (reached.has(endpointKey(c.server)) || relayServers.has(endpointKey(c.server))
      || (!!c.serverName && relayNames.has(c.serverName)) || endpointKey(c.server) === sole);
    const covered = relayCover !== null && Number.isFinite(start)
      && relayCover.start - offset.seconds <= start && start <= relayCover.end - offset.seconds;
    if (!c || !towardRelay || !covered) {
      result.unmatchedClient.push(id);
      if (c && towardRelay && relayCover !== null && Number.isFinite(start)) result.uncovered.push({ client: id, evidence: [notCovered(c, start, relayCover, offset)] });
      continue;
    }
    if (endpointKey(c.server) === sole) soleEvidence.set(c.id, `The relay's capture holds no connection at all; every connection of the client's capture went to ${endpoint(c.server)}, taken as the relay.`);
    vanished.push(c);
  }
  // Indexed once (thousands of vanished flows on one triple must not cost a scan each): blocked connections by
  // client address, server address and port, in time order; connections that got through, by server name.
  const blocked = new Map<string, ConnectionBrief[]>();
  const passed = new Map<string, ConnectionBrief>();
  for (const m of matches) {
    const name = m.client.serverName;
    if (m.interference.kind !== 'none') addTo(blocked, tripleKey(m.client), m.client);
    else if (name && !passed.has(`${m.client.transport ?? 'tcp'}|${name}`)) passed.set(`${m.client.transport ?? 'tcp'}|${name}`, m.client);
  }
  for (const c of vanished) addTo(blocked, tripleKey(c), c);
  for (const list of blocked.values()) list.sort((a, b) => a.startTime - b.startTime);
  for (const brief of vanished) {
    const c = load(brief.id);
    const packets = unseenPackets(c);
    const interference = judgeUnseen(c, packets, relayCover!, offset, reached.has(endpointKey(c.server)));
    residualEvidence(interference, brief, blocked.get(tripleKey(brief))!, passed);
    const sole = soleEvidence.get(c.id);
    if (sole) interference.evidence.splice(2, 0, sole);
    result.pairs.push({
      connection: c,
      pair: {
        client: c.id, relay: null, matchedBy: [], matchScore: 0, clockOffset: offset, packets, interference,
      },
    });
  }

  // Where the client's connections come from as the relay sees them (after any NAT).
  const clientAtRelay = new Set(matches.map((m) => m.relay.client.address));
  const relayById = new Map(relay.connections.map((r) => [r.id, r]));
  for (const id of unmatchedRelay) {
    const r = relayById.get(id);
    const at = r ? r.startTime - offset.seconds : NaN;
    if (!r || !clientAtRelay.has(r.client.address) || clientCover === null || !(clientCover.start <= at && at <= clientCover.end)) {
      result.unmatchedRelay.push(id);
      continue;
    }
    const what = r.hasClientHello ? `a ClientHello${r.serverName ? ` for ${r.serverName}` : ''}` : plural(r.tcpPackets, 'packet');
    result.spoofed.push({
      relay: id,
      evidence: [
        `The relay received ${what} at ${fmtTime(r.startTime)} from ${r.client.address}, the address the client's other connections arrive from, `
        + `while the client's capture ran (${fmtTime(clientCover.start)}–${fmtTime(clientCover.end)}); no connection in it has this one's random, identifiers or payloads.`,
        'The client never sent it: it was forged on the way (a censor\'s probe or injection), or sent by a program on the client\'s host that the client capture did not record.',
      ],
    });
  }
  return result;
}

/** Why a client connection the relay never saw is no evidence: the relay's capture was not running when it was sent. */
function notCovered(c: ConnectionBrief, start: number, relayCover: { start: number; end: number }, offset: ClockOffset): string {
  const from = relayCover.start - offset.seconds;
  const to = relayCover.end - offset.seconds;
  return `The relay capture does not cover client connection ${c.id}: the client sent its first ${isDatagramConnection(c) ? 'datagram' : 'packet'} at ${fmtTime(start)}, `
    + `${start < from ? 'before' : 'after'} the relay's capture ran (${fmtTime(from)} to ${fmtTime(to)}, client clock); that the relay has no trace of it says nothing.`;
}

/**
 * Ties a vanished connection to an earlier one on the same client address, server address and port: a censor that
 * blocks the triple for a while after one match (the GFW's residual blocking) drops every new flow, whatever it carries.
 */
function residualEvidence(verdict: Interference, c: ConnectionBrief, sameTriple: ConnectionBrief[], passed: Map<string, ConnectionBrief>): void {
  // The latest blocked connection on the triple that started before this one (the list is in time order).
  let lo = 0, hi = sameTriple.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sameTriple[mid].startTime < c.startTime) lo = mid + 1;
    else hi = mid;
  }
  const earlier = lo > 0 ? sameTriple[lo - 1] : undefined;
  if (earlier) {
    verdict.evidence.push(`${fmtDuration(c.startTime - earlier.startTime)} earlier, client connection ${earlier.id} on the same client address, server and port `
      + `(${earlier.client.address} → ${endpoint(c.server)}${earlier.serverName ? `, SNI ${earlier.serverName}` : ''}) was blocked too.`);
  }
  const name = c.serverName;
  const passedSame = name ? passed.get(`${c.transport ?? 'tcp'}|${name}`) : undefined;
  if (passedSame) {
    verdict.evidence.push(`The same server name (${name}) got through in client connection ${passedSame.id}: what was blocked here is the address triple, not this ClientHello.`);
  }
}

const MULTIPLEXED = new Set(Object.values(MULTIPLEXED_LABEL));
/** A datagram multiplexed with DTLS on its tuple (STUN, SRTP…): a capture makes a connection of a tuple only once DTLS is on it. */
const multiplexed = (c: ConnectionReport, tls: readonly string[]) => c.transport === 'dtls' && tls.length === 1 && MULTIPLEXED.has(tls[0]);

/**
 * The client's packets all dropped; anything it received on the connection never left the relay, so it was injected.
 * But the STUN (ICE checks) and other datagrams multiplexed with the DTLS may have gone both ways: the relay's capture
 * holds them as plain UDP when no DTLS came after them, so they are not observed, neither dropped nor injected.
 */
function unseenPackets(c: ConnectionReport): PairPacket[] {
  return (c.packets ?? []).map((p) => {
    const side = p.from === 'client' ? 'client' : 'relay';
    if (multiplexed(c, p.tls)) return pairPacket(side, 'not-observed', p, undefined, p);
    return p.from === 'client' ? pairPacket('client', 'dropped', p, undefined, p) : pairPacket('relay', 'injected', p, undefined, p);
  });
}

function judgeUnseen(c: ConnectionReport, packets: PairPacket[], relayCover: { start: number; end: number }, offset: ClockOffset, sameServer: boolean): Interference {
  const udp = isDatagramConnection(c);
  const unit = udp ? 'datagram' : 'packet';
  const sent = packets.filter((p) => p.from === 'client' && p.status === 'dropped');
  const first = sent[0];
  const notObserved = packets.filter((p) => p.status === 'not-observed');
  const firstMessage = c.messages.find((m) => m.from === 'client')?.name ?? null;
  // A SYN sent again carries no retransmission note (no payload): the same offset, length and flags tell it.
  const again = (p: PairPacket, i: number) => i > 0 && (p.notes.includes('retransmission') || (!udp && p.seq === first.seq && p.length === first.length && p.flags === first.flags));
  const retransmissions = sent.filter(again).length;
  const what = first.tls.length > 0 ? `its ${first.tls.join(' + ')}` : first.flags.includes('S') ? 'its SYN' : `${first.length} bytes`;
  const carrier = c.transport === 'quic' ? ` in a ${first.length}-byte QUIC Initial datagram` : udp ? ` in a ${first.length}-byte datagram` : '';
  const evidence = [
    `The client sent ${what}${carrier} at ${fmtTime(first.clientTime)}${retransmissions > 0 ? ` and retransmitted it ${retransmissions} time${retransmissions === 1 ? '' : 's'}` : ''}, `
    + `${plural(sent.length, unit)} in all; none reached the relay.`,
    `The relay's capture holds no trace of this connection although it ran from ${fmtTime(relayCover.start - offset.seconds)} to ${fmtTime(relayCover.end - offset.seconds)} (client clock)`
    + `${sameServer ? ' and shows the client reaching this server in other connections' : ''}.`,
  ];
  if (notObserved.length > 0) {
    const kinds = [...new Set(notObserved.map((p) => p.tls[0]))].join(', ');
    evidence.push(`${plural(notObserved.length, 'datagram')} on the same 5-tuple (${kinds}) are not judged: the relay's capture makes a connection of a tuple only once it carries DTLS, so it may hold them as plain UDP.`);
  }
  const injected = packets.filter((p) => p.status === 'injected');
  if (injected.length > 0) evidence.push(`The client received ${plural(injected.length, unit)} on this connection that the relay never sent: injected on the way.`);
  if (c.transport === 'quic') evidence.push('New flows vanishing whole is also what residual blocking looks like: the Great Firewall drops all QUIC flows on a client–server–port triple for about 180 s after one blocked Initial.');
  if (Number.isFinite(offset.uncertainty)) evidence.push(`Clock offset borrowed from the other pairs: ${fmtDuration(offset.seconds)} ± ${fmtDuration(offset.uncertainty)}.`);
  let confidence = 0.7;
  if (retransmissions > 0) confidence += 0.1;
  if (sameServer) confidence += 0.1;
  return {
    kind: 'drop', direction: 'client-to-relay', firstMissingTlsMessage: firstMessage, confidence: Math.min(0.9, confidence), evidence,
  };
}
