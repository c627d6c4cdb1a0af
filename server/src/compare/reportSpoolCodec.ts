/**
 * How a connection's report is written to a comparison's spool
 * (spooledCapture.ts) and read back: V8's serializer, but with the packet
 * timeline in columns. Written and read once per connection and side, the
 * report is most of a big comparison's time (issue #16); its timeline is
 * ~30 objects of 13 fields, which V8's serializer writes key by key: ~40% of
 * a report's serializing and a fifth of reading it back. As numbers in one
 * Float64Array and strings by reference it is a copy of bytes each way.
 *
 * Read back, a report is what V8's round trip gives: the same keys in the
 * same order, the same values, NaN and undefined kept (the streamed
 * comparison's output is byte for byte the in-memory one's:
 * test/engine/streamedCompare.test.ts). A timeline this code does not know
 * the shape of goes through the serializer as it is.
 */
import { deserialize, serialize } from 'node:v8';
import type { ConnectionReport, PacketReport } from '../../../shared/analysis';
import type { SpoolCodec } from '../util/recordSpool';

/** The two key orders of a timeline entry: TCP's (output/connectionReport.ts) and the datagram transports' (quicReport.ts, dtlsReport.ts). */
const TCP_KEYS = ['index', 'time', 'from', 'flags', 'seq', 'ack', 'length', 'window', 'ttl', 'ipId', 'notes', 'payloadHash', 'tls'];
const DATAGRAM_KEYS = ['index', 'time', 'from', 'flags', 'seq', 'ack', 'length', 'window', 'ttl', 'ipId', 'notes', 'tls', 'payloadHash'];
const NUMBERS = 8;

/**
 * A timeline in columns. `numbers`: index, time, seq, ack, length, window,
 * ttl, ipId per entry. `refs`, per entry: its key order (0 TCP, 1 datagram),
 * from, flags and payloadHash as indexes into `strings`, then the notes and
 * the tls names, each a count and that many indexes.
 */
interface Columns {
  count: number;
  numbers: Float64Array;
  refs: Int32Array;
  strings: string[];
}

/** What a spool record holds: the report (its `packets` undefined when they are in `columns`) and the columns. */
type SpoolRecord = [ConnectionReport, Columns | null];

function sameKeys(keys: string[], expected: string[]): boolean {
  if (keys.length !== expected.length) return false;
  for (let i = 0; i < keys.length; i++) if (keys[i] !== expected[i]) return false;
  return true;
}

/** The timeline in columns, or null when an entry is not of the shape these columns hold (it is then written as it is). */
export function timelineColumns(ps: readonly PacketReport[]): Columns | null {
  const count = ps.length;
  const numbers = new Float64Array(count * NUMBERS);
  let refs = new Int32Array(count * 6 + 8);
  let r = 0;
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const ref = (s: unknown): number => {
    if (typeof s !== 'string') return -1;
    let id = ids.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      ids.set(s, id);
    }
    return id;
  };
  for (let i = 0; i < count; i++) {
    const p = ps[i];
    if (p === null || typeof p !== 'object') return null;
    const keys = Object.keys(p);
    const order = sameKeys(keys, TCP_KEYS) ? 0 : sameKeys(keys, DATAGRAM_KEYS) ? 1 : -1;
    if (order < 0) return null;
    const { index, time, seq, ack, length, window, ttl, ipId, notes, tls } = p;
    if (typeof index !== 'number' || typeof time !== 'number' || typeof seq !== 'number' || typeof ack !== 'number' || typeof length !== 'number'
      || typeof window !== 'number' || typeof ttl !== 'number' || typeof ipId !== 'number' || !Array.isArray(notes) || !Array.isArray(tls)) return null;
    const o = i * NUMBERS;
    numbers[o] = index;
    numbers[o + 1] = time;
    numbers[o + 2] = seq;
    numbers[o + 3] = ack;
    numbers[o + 4] = length;
    numbers[o + 5] = window;
    numbers[o + 6] = ttl;
    numbers[o + 7] = ipId;
    const need = r + 6 + notes.length + tls.length;
    if (need > refs.length) {
      const more = new Int32Array(Math.max(need, refs.length * 2));
      more.set(refs);
      refs = more;
    }
    refs[r++] = order;
    for (const s of [p.from, p.flags, p.payloadHash]) {
      const id = ref(s);
      if (id < 0) return null;
      refs[r++] = id;
    }
    for (const list of [notes, tls]) {
      refs[r++] = list.length;
      // Indexed, not iterated: a hole reads undefined and is refused like any other non-string.
      for (let j = 0; j < list.length; j++) {
        const id = ref(list[j]);
        if (id < 0) return null;
        refs[r++] = id;
      }
    }
  }
  return { count, numbers, refs: refs.slice(0, r), strings };
}

/** The timeline the columns hold, entry by entry as it was. */
export function timelineOf(x: Columns): PacketReport[] {
  const { numbers, refs, strings } = x;
  const out: PacketReport[] = new Array<PacketReport>(x.count);
  let r = 0;
  const names = (): string[] => {
    const n = refs[r++];
    const list: string[] = [];
    for (let j = 0; j < n; j++) list.push(strings[refs[r++]]);
    return list;
  };
  for (let i = 0; i < x.count; i++) {
    const o = i * NUMBERS;
    const order = refs[r++];
    const from = strings[refs[r++]] as PacketReport['from'];
    const flags = strings[refs[r++]];
    const payloadHash = strings[refs[r++]];
    const notes = names();
    const tls = names();
    out[i] = order === 0
      ? { index: numbers[o], time: numbers[o + 1], from, flags, seq: numbers[o + 2], ack: numbers[o + 3], length: numbers[o + 4],
        window: numbers[o + 5], ttl: numbers[o + 6], ipId: numbers[o + 7], notes, payloadHash, tls }
      : { index: numbers[o], time: numbers[o + 1], from, flags, seq: numbers[o + 2], ack: numbers[o + 3], length: numbers[o + 4],
        window: numbers[o + 5], ttl: numbers[o + 6], ipId: numbers[o + 7], notes, tls, payloadHash };
  }
  return out;
}

type Hello = NonNullable<ConnectionReport['clientHello'] | ConnectionReport['serverHello'] | ConnectionReport['serverKeyExchange']>;
const HELLOS = ['clientHello', 'serverHello', 'serverKeyExchange'] as const;

/**
 * The connection as it is written: its hellos as plain copies and its
 * timeline in columns. A hello's `ranges` is an accessor
 * (output/sourceRanges.ts), which sends V8's serializer down its slow path
 * for the whole object: half the time of writing a connection went to its
 * ClientHello. A hello held both by the connection and by its message stays
 * one object (the JSON writer tells them apart by identity).
 */
function recordOf(c: ConnectionReport): SpoolRecord {
  const copies = new Map<Hello, Hello>();
  const plain = <T extends Hello>(h: T): T => {
    let x = copies.get(h);
    if (!x) copies.set(h, x = { ...h });
    return x as T;
  };
  const out: ConnectionReport = { ...c };
  for (const k of HELLOS) if (c[k]) (out as unknown as Record<string, Hello>)[k] = plain(c[k]!);
  out.messages = c.messages.map((m) => {
    if (!m.clientHello && !m.serverHello && !m.serverKeyExchange) return m;
    const copy = { ...m };
    for (const k of HELLOS) if (m[k]) (copy as unknown as Record<string, Hello>)[k] = plain(m[k]!);
    return copy;
  });
  const columns = Array.isArray(c.packets) ? timelineColumns(c.packets) : null;
  // Left in place as undefined, so the key keeps its position when the timeline is put back.
  if (columns) out.packets = undefined;
  return [out, columns];
}

export const REPORT_CODEC: SpoolCodec<ConnectionReport> = {
  encode: (c) => serialize(recordOf(c)),
  decode: (bytes) => {
    const [c, columns] = deserialize(bytes) as SpoolRecord;
    if (columns) c.packets = timelineOf(columns);
    return c;
  },
};
