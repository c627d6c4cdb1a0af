/**
 * Open-addressing hash table from an IPv4 4-tuple to a value, for the one
 * lookup every packet makes. A Map keyed by numbers would do, but the two
 * 48-bit address+port keys are not small integers: each lookup boxed them
 * as heap numbers, twice per packet. Here the tuple is three int32 words
 * (the two addresses and both ports) compared in place.
 *
 * The tuple is stored in a canonical order (lower address+port first), so
 * both directions of a connection find the same entry. Linear probing;
 * deletions leave tombstones that later inserts reuse; the table doubles
 * when live entries and tombstones pass half of it.
 */
const EMPTY = 0;
const USED = 1;
const DELETED = 2;

export class Ipv4TupleTable<T> {
  private capacity: number;
  private state: Uint8Array;
  private keys: Int32Array;
  private values: Array<T | undefined>;
  private live = 0;
  private tombstones = 0;

  constructor(initialCapacity = 64) {
    let c = 16;
    while (c < initialCapacity) c <<= 1;
    this.capacity = c;
    this.state = new Uint8Array(c);
    this.keys = new Int32Array(c * 3);
    this.values = new Array<T | undefined>(c);
  }

  get size(): number {
    return this.live;
  }

  get(a: number, b: number, ports: number): T | undefined {
    const i = this.find(a, b, ports);
    return i < 0 ? undefined : this.values[i];
  }

  set(a: number, b: number, ports: number, value: T): void {
    if ((this.live + this.tombstones + 1) * 2 > this.capacity) this.grow();
    const mask = this.capacity - 1;
    const keys = this.keys;
    const state = this.state;
    let free = -1;
    for (let i = hash(a, b, ports) & mask; ; i = (i + 1) & mask) {
      const s = state[i];
      if (s === EMPTY) {
        if (free < 0) free = i;
        break;
      }
      if (s === DELETED) {
        if (free < 0) free = i;
        continue;
      }
      if (keys[i * 3] === a && keys[i * 3 + 1] === b && keys[i * 3 + 2] === ports) {
        this.values[i] = value;
        return;
      }
    }
    if (state[free] === DELETED) this.tombstones--;
    state[free] = USED;
    keys[free * 3] = a;
    keys[free * 3 + 1] = b;
    keys[free * 3 + 2] = ports;
    this.values[free] = value;
    this.live++;
  }

  delete(a: number, b: number, ports: number): boolean {
    const i = this.find(a, b, ports);
    if (i < 0) return false;
    this.state[i] = DELETED;
    this.values[i] = undefined;
    this.live--;
    this.tombstones++;
    return true;
  }

  /** Live values (a snapshot: the table may be changed while they are used). */
  valuesList(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.capacity; i++) if (this.state[i] === USED) out.push(this.values[i]!);
    return out;
  }

  clear(): void {
    this.state.fill(EMPTY);
    this.values.fill(undefined);
    this.live = 0;
    this.tombstones = 0;
  }

  /** Slot holding the tuple, or -1. */
  private find(a: number, b: number, ports: number): number {
    const mask = this.capacity - 1;
    const keys = this.keys;
    const state = this.state;
    for (let i = hash(a, b, ports) & mask; ; i = (i + 1) & mask) {
      const s = state[i];
      if (s === EMPTY) return -1;
      if (s === USED && keys[i * 3] === a && keys[i * 3 + 1] === b && keys[i * 3 + 2] === ports) return i;
    }
  }

  private grow(): void {
    const oldState = this.state;
    const oldKeys = this.keys;
    const oldValues = this.values;
    const oldCapacity = this.capacity;
    // Only live entries count toward the new size: a table full of tombstones is rebuilt at the same size.
    let c = this.capacity;
    while ((this.live + 1) * 4 > c) c <<= 1;
    this.capacity = c;
    this.state = new Uint8Array(c);
    this.keys = new Int32Array(c * 3);
    this.values = new Array<T | undefined>(c);
    this.live = 0;
    this.tombstones = 0;
    for (let i = 0; i < oldCapacity; i++) {
      if (oldState[i] === USED) this.set(oldKeys[i * 3], oldKeys[i * 3 + 1], oldKeys[i * 3 + 2], oldValues[i]!);
    }
  }
}

function hash(a: number, b: number, ports: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ ports, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

/** The canonical key of a tuple: the endpoint with the lower address (then port) first. */
export function canonicalFirst(srcAddr: number, srcPort: number, dstAddr: number, dstPort: number): boolean {
  return srcAddr < dstAddr || (srcAddr === dstAddr && srcPort <= dstPort);
}
