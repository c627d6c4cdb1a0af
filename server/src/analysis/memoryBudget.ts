import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Default budget for one run (CLI `--max-memory`, editor `handshakeInspector.maxMemoryMegabytes`). */
export const DEFAULT_MAX_MEMORY_MB = 512;

/** What a run holds for later, each with its share of the budget. */
export type HeldKind = 'connections' | 'out-of-order' | 'fragments' | 'comments';

/**
 * Shares of the budget. They add up to less than 1: the rest is the
 * process itself (code, the V8 nursery, read buffers, the report being
 * written), which is about 150 MB whatever the input.
 */
const SHARE: Record<HeldKind, number> = {
  connections: 0.25,
  'out-of-order': 0.15,
  fragments: 0.05,
  comments: 0.1,
};

/**
 * Bytes an open connection costs beyond its buffers (two direction streams,
 * their maps, timeline head, the TLS session shell): measured on a
 * 150,000-SYN capture at about 2.5 KB each.
 */
export const CONNECTION_COST = 2600;
/** Bookkeeping of one IP datagram waiting for its fragments (its TcpPacket scratch, lists), beyond the bytes. */
export const DATAGRAM_COST = 1200;

/**
 * The accountant of a run: everything that holds bytes or objects for later
 * (out-of-order segments, IP fragments, open connections, comments) takes
 * from it, gives back when it lets go, and sheds its oldest holding when
 * its share is used up. Per-item caps existed before; this caps the total,
 * so no input of a few MB can make the run take gigabytes.
 */
export class MemoryBudget {
  readonly limit: number;
  private readonly held: Record<HeldKind, number> = { connections: 0, 'out-of-order': 0, fragments: 0, comments: 0 };
  /** How much of each kind was shed (for the summary diagnostic). */
  readonly shed: Record<HeldKind, number> = { connections: 0, 'out-of-order': 0, fragments: 0, comments: 0 };
  private heapAfterCollect = 0;
  private collect: (() => void) | null | undefined;

  /**
   * `collectSlackMB`: the old-generation growth between full collections
   * (afterChunk), when a caller knows better than the default: a streamed
   * comparison's heaps hold every connection's match facts, so each
   * collection costs more, and two analyses share the budget.
   */
  constructor(megabytes = DEFAULT_MAX_MEMORY_MB, private readonly collectSlackMB?: number) {
    // Settings arrive from an editor as anything: a non-number is the default.
    const mb = typeof megabytes === 'number' && Number.isFinite(megabytes) ? megabytes : DEFAULT_MAX_MEMORY_MB;
    this.limit = Math.floor(Math.max(64, mb) * 1024 * 1024);
  }

  /** The share of `kind`, in bytes. */
  cap(kind: HeldKind): number {
    return Math.floor(this.limit * SHARE[kind]);
  }

  take(kind: HeldKind, bytes: number): void {
    this.held[kind] += bytes;
  }

  give(kind: HeldKind, bytes: number): void {
    this.held[kind] -= bytes;
  }

  /** True when `kind` holds more than its share. */
  over(kind: HeldKind, adding = 0): boolean {
    return this.held[kind] + adding > this.cap(kind);
  }

  holding(kind: HeldKind): number {
    return this.held[kind];
  }

  /**
   * Called between chunks of input. Nothing of a finished connection is
   * kept (a full collection after 200 MB of short connections leaves ~25 MB
   * of heap), but V8 collects its old space lazily: state that outlived the
   * nursery piles up as garbage and RSS grew with the file. A full
   * collection whenever the old generation has grown by a fixed slack since
   * the last one keeps RSS flat, at a few milliseconds per collection.
   * The old generation, not the whole heap: the nursery alone swings by ~30
   * MB between scavenges (the launcher's 32 MiB semi-spaces), so a slack on
   * the whole heap had to be 64 MiB, and the old space grew by nearly that
   * much garbage on a 1 GB capture of short connections (peak RSS 223–238
   * MB against 185 MB at 50 MB). 8 MiB of old space: 193–196 MB (16 MiB:
   * 199–203 MB, at the target; the cost is a full collection of ~17 MB of
   * live heap per ~8 MB promoted: 44 on that 1 GB capture instead of 7–9,
   * a sixth to a third more CPU time under load).
   * A run that keeps what it finishes (compare holds both analyses) has a
   * live heap that grows with the file: a full collection per 8 MiB of it
   * marks hundreds of megabytes each time, a cost growing with the square
   * of the file. So the slack is also a quarter of what survived the last
   * collection: the same 8 MiB while little is live, collections spaced
   * geometrically when much is.
   */
  afterChunk(): void {
    const used = oldGeneration();
    const floor = this.collectSlackMB !== undefined ? this.collectSlackMB * (1 << 20) : Math.min(8 << 20, Math.max(4 << 20, this.limit / 64));
    const slack = Math.max(floor, this.heapAfterCollect / 4);
    if (used - this.heapAfterCollect < slack) return;
    const gc = this.collector();
    if (!gc) return;
    gc();
    this.heapAfterCollect = oldGeneration();
  }

  private collector(): (() => void) | null {
    if (this.collect !== undefined) return this.collect;
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === 'function') return (this.collect = () => g());
    try {
      // Exposed for this process on first use: the CLI runs without --expose-gc.
      setFlagsFromString('--expose-gc');
      const fn = runInNewContext('gc') as () => void;
      this.collect = typeof fn === 'function' ? () => fn() : null;
    } catch {
      this.collect = null;
    }
    return this.collect;
  }
}

/** Bytes used in V8's old generation (everything but the nursery's spaces). */
function oldGeneration(): number {
  let n = 0;
  for (const s of getHeapSpaceStatistics()) if (s.space_name !== 'new_space' && s.space_name !== 'new_large_object_space') n += s.space_used_size;
  return n;
}
