import type { ConnectionReport, PacketReport } from '../../../shared/analysis';

/** A pairing of a client connection with a relay connection, by id (the connections themselves may live on disk: streamedCompare.ts). */
export interface Match {
  client: number;
  relay: number;
  score: number;
  matchedBy: string[];
}

/** Below this a pairing is a coincidence, not a match. */
const MIN_SCORE = 30;
/** The most identical payloads (50) and alike sizes (20) add to a score. */
const MAX_CONTENT_SCORE = 70;

/**
 * What a connection is matched on, taken from its report once (the report can
 * then go to disk): a few hundred bytes instead of the ~10 kB of a
 * connection with its packet timeline.
 */
export interface MatchFacts {
  id: number;
  /** ClientHello random, if the connection has a ClientHello. */
  random: string | null;
  /** Whether the connection has a ClientHello at all (one without a random is still a TLS connection). */
  hasClientHello: boolean;
  isnClient: number | null;
  isnServer: number | null;
  /** UDP-borne (QUIC, DTLS): names payloads "datagrams". */
  datagram: boolean;
  cids: string[];
  /**
   * Distinct payload segments as `from/seq/hash`, in first-seen order, one
   * per line: one string rather than a dozen, because the facts of every
   * connection of both captures stay in memory until matching, and every
   * full collection of the analyses' heaps walks each object.
   */
  payloads: string;
  /** Sizes of the first data segments, the server's negative. */
  sizes: number[];
}

export function matchFacts(c: ConnectionReport): MatchFacts {
  const payloads = new Set<string>();
  for (const p of c.packets ?? []) if (p.payloadHash) payloads.add(`${p.from}/${p.seq}/${p.payloadHash}`);
  return {
    id: c.id, random: c.clientHello?.random ?? null, hasClientHello: !!c.clientHello, isnClient: c.tcp.isn.client, isnServer: c.tcp.isn.server,
    datagram: c.transport !== undefined, cids: quicCids(c), payloads: [...payloads].join('\n'), sizes: sizeSequence(c.packets ?? []),
  };
}

/**
 * Pairs the client capture's connections with the relay capture's without
 * trusting addresses or ports (NAT and anonymisation change both). What
 * survives the path: the ClientHello random (32 bytes the client chose),
 * the initial sequence numbers (most NATs keep them), QUIC connection IDs,
 * the payload bytes of each segment or datagram, and the sequence of sizes.
 * Each side's facts are in the order its analysis lists connections (by id).
 */
export function matchConnections(client: readonly MatchFacts[], relay: readonly MatchFacts[]): { matches: Match[]; unmatchedClient: number[]; unmatchedRelay: number[] } {
  const relayRandoms = new Set<string>();
  for (const r of relay) if (r.random) relayRandoms.add(r.random);
  // Only pairs that share a ClientHello random, an initial sequence number or
  // a payload segment can reach MIN_SCORE (segment sizes alone give at most
  // 20), so the relay's connections are indexed by those keys and each client
  // connection is scored against the ones it shares a key with: trying all
  // pairs took 500 s for 6,500 connections against themselves.
  // One index per kind of key (a number where the key is one): no key string is built per connection and looked up.
  const index = { random: new KeyIndex<string>(), isnClient: new KeyIndex<number>(), isnServer: new KeyIndex<number>(), cid: new KeyIndex<string>(), payload: new KeyIndex<number>() };
  const payloadIds = new Map<string, number>();
  const relayFacts = relay.map((r) => scored(r, payloadIds));
  relayFacts.forEach((rs, j) => {
    const f = rs.f;
    if (f.random) index.random.add(f.random, j);
    if (f.isnClient !== null) index.isnClient.add(f.isnClient, j);
    if (f.isnServer !== null) index.isnServer.add(f.isnServer, j);
    for (const cid of f.cids) index.cid.add(cid, j);
    for (const id of rs.payloads) index.payload.add(id, j);
  });
  // A request replayed many times still gives each client connection up to
  // MAX_PER_KEY candidates, so candidates are three numbers each (client
  // index, relay index, score) and only the chosen pairs are described: a
  // Match object with its sentences per candidate was most of the matching
  // time and garbage on a capture of replayed handshakes. They are typed
  // lists: 5.7 M candidates on two 200 MB captures were ~180 MB as arrays.
  // Scores fit 16 bits (at most 100 + 40 + 40 + 80 + 70).
  const candC = new IntList(Int32Array);
  const candR = new IntList(Int32Array);
  const candScore = new IntList(Int16Array);
  const seen = new Int32Array(relay.length).fill(-1);
  const clientFacts: Scored[] = [];
  client.forEach((c, i) => {
    const cs = scored(c, payloadIds);
    clientFacts.push(cs);
    const consider = (js: readonly number[]) => {
      for (const j of js) {
        if (seen[j] === i) continue;
        seen[j] = i;
        const s = scoreOf(cs, relayFacts[j], relayRandoms);
        if (s < MIN_SCORE) continue;
        candC.push(i);
        candR.push(j);
        candScore.push(s);
      }
    };
    if (c.random) consider(index.random.get(c.random));
    if (c.isnClient !== null) consider(index.isnClient.get(c.isnClient));
    if (c.isnServer !== null) consider(index.isnServer.get(c.isnServer));
    for (const cid of c.cids) consider(index.cid.get(cid));
    for (const id of cs.payloads) consider(index.payload.get(id));
  });
  const order = candidateOrder(candC.view(), candR.view(), candScore.view(), client, relay);
  const usedC = new Set<number>();
  const usedR = new Set<number>();
  const matches: Match[] = [];
  for (const n of order) {
    const c = clientFacts[candC.at(n)];
    const r = relayFacts[candR.at(n)];
    if (usedC.has(c.f.id) || usedR.has(r.f.id)) continue;
    usedC.add(c.f.id);
    usedR.add(r.f.id);
    const matchedBy: string[] = [];
    scoreOf(c, r, relayRandoms, matchedBy);
    matches.push({ client: c.f.id, relay: r.f.id, score: candScore.at(n), matchedBy });
  }
  matches.sort((a, b) => a.client - b.client);
  return {
    matches,
    unmatchedClient: client.filter((c) => !usedC.has(c.id)).map((c) => c.id),
    unmatchedRelay: relay.filter((r) => !usedR.has(r.id)).map((r) => r.id),
  };
}

/**
 * The candidates best first: by score, then client id, then relay id. A
 * comparison sort of millions of candidates (replayed handshakes give every
 * client connection hundreds) was a second of a 50 MB compare; scores are
 * small integers and the candidates were made client by client, so when ids
 * rise with the index (an analysis lists its connections by id) a counting
 * sort by score keeps them in client order and only each client's run is
 * sorted by relay id.
 */
function candidateOrder(candC: Int32Array, candR: Int32Array, candScore: Int16Array, client: readonly MatchFacts[], relay: readonly MatchFacts[]): Int32Array {
  const n = candScore.length;
  const rising = (xs: readonly MatchFacts[]) => xs.every((x, i) => i === 0 || xs[i - 1].id < x.id);
  if (!rising(client) || !rising(relay)) {
    const order = Int32Array.from(candScore, (_, k) => k);
    return order.sort((a, b) => candScore[b] - candScore[a] || client[candC[a]].id - client[candC[b]].id || relay[candR[a]].id - relay[candR[b]].id);
  }
  let hi = MIN_SCORE;
  for (const x of candScore) if (x > hi) hi = x;
  // Bucket starts, highest score first.
  const start = new Int32Array(hi - MIN_SCORE + 2);
  for (const x of candScore) start[hi - x + 1]++;
  for (let b = 1; b < start.length; b++) start[b] += start[b - 1];
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[start[hi - candScore[k]]++] = k;
  // Within a score, client indexes ascend already; runs of one client are put in relay order.
  for (let a = 0; a < n;) {
    let b = a + 1;
    while (b < n && candScore[order[b]] === candScore[order[a]] && candC[order[b]] === candC[order[a]]) b++;
    if (b - a > 1) {
      order.subarray(a, b).sort((x, y) => candR[x] - candR[y]);
    }
    a = b;
  }
  return order;
}

type IntArray = Int32Array | Int16Array;

/**
 * A list of integers in a typed array that grows by half: millions of
 * candidates, where doubling left up to half the last array unused and held
 * both arrays while copying (the peak of a 200 MB self-compare was here).
 */
class IntList<A extends IntArray> {
  private data: A;
  private length = 0;
  constructor(private readonly make: { new (n: number): A }) {
    this.data = new make(1024);
  }
  push(x: number): void {
    if (this.length === this.data.length) {
      const more = new this.make(Math.ceil(this.data.length * 1.5));
      more.set(this.data);
      this.data = more;
    }
    this.data[this.length++] = x;
  }
  at(i: number): number {
    return this.data[i];
  }
  view(): A {
    return this.data.subarray(0, this.length) as A;
  }
}

/**
 * Connections sharing a key can be many (a scan's SYNs that all start at the
 * same sequence number, one request replayed a thousand times, a server
 * flight every connection repeats): a key more relay connections hold than
 * this tells none of them apart, and finds no candidates. Indexed, its first
 * 256 holders made every client connection with the key a candidate of each
 * (5.7 M candidates, most of the matching time, on two 200 MB captures of
 * four replayed handshakes), and a client connection's own partner past the
 * first 256 was only found through its other keys anyway. They still pair
 * through those, and the key still counts in the score of every candidate.
 */
const MAX_PER_KEY = 256;

const NONE: readonly number[] = [];

class KeyIndex<K> {
  private readonly map = new Map<K, number[] | null>();
  add(key: K, v: number): void {
    const list = this.map.get(key);
    if (list === undefined) this.map.set(key, [v]);
    else if (list === null) return;
    else if (list.length < MAX_PER_KEY) list.push(v);
    // Too common to tell connections apart.
    else this.map.set(key, null);
  }
  get(key: K): readonly number[] {
    return this.map.get(key) ?? NONE;
  }
}

/** What a connection is scored on: its facts with the payloads as numbers, computed once per connection instead of once per pair. */
interface Scored {
  f: MatchFacts;
  /**
   * Payload segments as numbers, one per distinct segment, ascending: a
   * pair's segments in common are counted by a merge, with no string hashed
   * or compared per pair.
   */
  payloads: Int32Array;
}

function scored(f: MatchFacts, payloadIds: Map<string, number>): Scored {
  const ids = Int32Array.from(f.payloads === '' ? [] : f.payloads.split('\n'), (k) => {
    let id = payloadIds.get(k);
    if (id === undefined) payloadIds.set(k, id = payloadIds.size);
    return id;
  }).sort();
  return { f, payloads: ids };
}

/** A pair's score; with `by`, also the sentences saying what it rests on (only the chosen pairs need them). */
function scoreOf(cs: Scored, rs: Scored, relayRandoms: Set<string>, by?: string[]): number {
  const c = cs.f;
  const r = rs.f;
  let s = 0;
  const cr = c.random;
  if (cr && r.random === cr) {
    s += 100;
    by?.push('ClientHello random (32 bytes chosen by the client)');
  } else if (cr && r.hasClientHello && relayRandoms.has(cr)) {
    // The relay saw this random in another connection: this one is not it.
    s -= 100;
  }
  if (c.isnClient !== null && c.isnClient === r.isnClient) {
    s += 40;
    by?.push('client initial sequence number');
  }
  if (c.isnServer !== null && c.isnServer === r.isnServer) {
    s += 40;
    by?.push('server initial sequence number');
  }
  // QUIC connection IDs are chosen at random by each end and travel in clear in long headers; NATs keep them.
  const cids = c.cids.length === 0 || r.cids.length === 0 ? 0 : c.cids.filter((x) => r.cids.includes(x)).length;
  if (cids > 0) {
    s += 40 + 20 * Math.min(cids - 1, 2);
    by?.push(`${cids} QUIC connection ID${cids === 1 ? '' : 's'} (chosen at random by the endpoints)`);
  }
  // Payloads and sizes add at most 70: a candidate already out of reach (its
  // random seen elsewhere) is not merged and compared for nothing, which was
  // most of the matching time on a capture whose server flights repeat.
  if (!by && s + MAX_CONTENT_SCORE < MIN_SCORE) return s;
  const common = commonPayloads(cs.payloads, rs.payloads);
  if (common > 0) {
    s += Math.min(50, common * 10);
    by?.push(`${common} identical payload ${c.datagram ? 'datagram' : 'segment'}${common === 1 ? '' : 's'}`);
  }
  const sizes = sizeSimilarity(c.sizes, r.sizes);
  if (sizes > 0.5) {
    s += Math.round(sizes * 20);
    by?.push(`${c.datagram ? 'datagram' : 'segment'} sizes and order (${Math.round(sizes * 100)}% alike)`);
  }
  return s;
}

/**
 * Every key matchConnections finds a connection's candidates by, as strings
 * (a sequence of sizes alone never reaches a match): two connections that
 * share none are never paired. Kept beside the indexes it mirrors.
 */
export function matchKeys(f: MatchFacts): string[] {
  const keys: string[] = [];
  if (f.random) keys.push(`r${f.random}`);
  if (f.isnClient !== null) keys.push(`c${f.isnClient}`);
  if (f.isnServer !== null) keys.push(`s${f.isnServer}`);
  for (const x of f.cids) keys.push(`q${x}`);
  if (f.payloads) for (const x of f.payloads.split('\n')) keys.push(`p${x}`);
  return keys;
}

/**
 * A pairing's score and what it rests on, as matchConnections gives it to a
 * match with the same random on both sides (its score then does not depend on
 * the rest of the relay capture). `payloadIds`: one map for every call of a
 * comparison (it numbers the payload segments).
 */
export function pairScore(c: MatchFacts, r: MatchFacts, payloadIds: Map<string, number>): { score: number; matchedBy: string[] } {
  const matchedBy: string[] = [];
  const score = scoreOf(scored(c, payloadIds), scored(r, payloadIds), NO_RANDOMS, matchedBy);
  return { score, matchedBy };
}

const NO_RANDOMS = new Set<string>();

/** The client's original DCID and both ends' source CIDs (empty ones name nothing). */
const NO_CIDS: string[] = [];

function quicCids(c: ConnectionReport): string[] {
  const q = c.quic;
  if (!q) return NO_CIDS;
  return [q.originalDcid, q.clientScid, q.serverScid].filter((x): x is string => !!x && x.length >= 8);
}

/** How many of two ascending lists of distinct ids they share. */
function commonPayloads(a: Int32Array, b: Int32Array): number {
  let n = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (a[i] === b[j]) {
      n++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return n;
}

/** The first data segments (by direction, in order), to compare sizes. */
function sizeSequence(ps: PacketReport[]): number[] {
  const out: number[] = [];
  for (const p of ps) {
    if (out.length >= 16) break;
    if (p.length > 0 && !p.notes.includes('retransmission')) out.push(p.from === 'client' ? p.length : -p.length);
  }
  return out;
}

/** Share of the first data segments whose sizes agree. */
function sizeSimilarity(x: number[], y: number[]): number {
  const n = Math.min(x.length, y.length);
  if (n < 2) return 0;
  let same = 0;
  for (let i = 0; i < n; i++) if (x[i] === y[i]) same++;
  return same / Math.max(x.length, y.length);
}
