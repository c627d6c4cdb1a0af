import type { ConnectionReport, PacketReport } from '../../../shared/analysis';

export interface Match {
  client: ConnectionReport;
  relay: ConnectionReport;
  score: number;
  matchedBy: string[];
}

/** Below this a pairing is a coincidence, not a match. */
const MIN_SCORE = 30;

/**
 * Pairs the client capture's connections with the relay capture's without
 * trusting addresses or ports (NAT and anonymisation change both). What
 * survives the path: the ClientHello random (32 bytes the client chose),
 * the initial sequence numbers (most NATs keep them), the payload bytes of
 * each segment, and the sequence of segment sizes.
 */
export function matchConnections(client: ConnectionReport[], relay: ConnectionReport[]): { matches: Match[]; unmatchedClient: number[]; unmatchedRelay: number[] } {
  const candidates: Match[] = [];
  const relayByRandom = new Map<string, ConnectionReport[]>();
  for (const r of relay) {
    const key = r.clientHello?.random;
    if (!key) continue;
    const list = relayByRandom.get(key);
    if (list) list.push(r);
    else relayByRandom.set(key, [r]);
  }
  for (const c of client) {
    for (const r of relay) {
      const m = score(c, r, relayByRandom);
      if (m.score >= MIN_SCORE) candidates.push(m);
    }
  }
  candidates.sort((a, b) => b.score - a.score || a.client.id - b.client.id || a.relay.id - b.relay.id);
  const usedC = new Set<number>();
  const usedR = new Set<number>();
  const matches: Match[] = [];
  for (const m of candidates) {
    if (usedC.has(m.client.id) || usedR.has(m.relay.id)) continue;
    usedC.add(m.client.id);
    usedR.add(m.relay.id);
    matches.push(m);
  }
  matches.sort((a, b) => a.client.id - b.client.id);
  return {
    matches,
    unmatchedClient: client.filter((c) => !usedC.has(c.id)).map((c) => c.id),
    unmatchedRelay: relay.filter((r) => !usedR.has(r.id)).map((r) => r.id),
  };
}

function score(c: ConnectionReport, r: ConnectionReport, byRandom: Map<string, ConnectionReport[]>): Match {
  let s = 0;
  const by: string[] = [];
  const cr = c.clientHello?.random;
  if (cr && r.clientHello?.random === cr) {
    s += 100;
    by.push('ClientHello random (32 bytes chosen by the client)');
  } else if (cr && r.clientHello && byRandom.has(cr)) {
    // The relay saw this random in another connection: this one is not it.
    s -= 100;
  }
  if (c.tcp.isn.client !== null && c.tcp.isn.client === r.tcp.isn.client) {
    s += 40;
    by.push('client initial sequence number');
  }
  if (c.tcp.isn.server !== null && c.tcp.isn.server === r.tcp.isn.server) {
    s += 40;
    by.push('server initial sequence number');
  }
  const common = commonPayloads(c.packets ?? [], r.packets ?? []);
  if (common > 0) {
    s += Math.min(50, common * 10);
    by.push(`${common} identical payload segment${common === 1 ? '' : 's'}`);
  }
  const sizes = sizeSimilarity(c.packets ?? [], r.packets ?? []);
  if (sizes > 0.5) {
    s += Math.round(sizes * 20);
    by.push(`segment sizes and order (${Math.round(sizes * 100)}% alike)`);
  }
  return { client: c, relay: r, score: s, matchedBy: by };
}

function commonPayloads(a: PacketReport[], b: PacketReport[]): number {
  const seen = new Set<string>();
  for (const p of a) if (p.payloadHash) seen.add(`${p.from}/${p.seq}/${p.payloadHash}`);
  const counted = new Set<string>();
  for (const p of b) {
    const k = `${p.from}/${p.seq}/${p.payloadHash}`;
    if (p.payloadHash && seen.has(k)) counted.add(k);
  }
  return counted.size;
}

/** Share of the first data segments (by direction, in order) whose sizes agree. */
function sizeSimilarity(a: PacketReport[], b: PacketReport[]): number {
  const seq = (ps: PacketReport[]) => ps.filter((p) => p.length > 0 && !p.notes.includes('retransmission')).slice(0, 16).map((p) => `${p.from}:${p.length}`);
  const x = seq(a), y = seq(b);
  const n = Math.min(x.length, y.length);
  if (n < 2) return 0;
  let same = 0;
  for (let i = 0; i < n; i++) if (x[i] === y[i]) same++;
  return same / Math.max(x.length, y.length);
}
