/**
 * The capture editor's connections and packet timelines on demand. A 220 MB
 * capture's timelines are ~80 MB of JSON and its connections in full ~35 MB:
 * sent for every connection (streamed, then again in the response and in the
 * verdicts' report) they cost the editor two minutes. The editor lists rows
 * (shared/connectionRow.ts) and asks for the connection it shows; while a
 * decode is still running, the connections it has streamed so far answer
 * that, afterwards the cached analysis does.
 */
import type { AnalysisReport, ConnectionReport, PacketReport } from '../../../shared/analysis';

export function withoutTimeline(c: ConnectionReport): ConnectionReport {
  if (c.packets === undefined) return c;
  const { packets: _dropped, ...rest } = c;
  return rest;
}

export function reportWithoutTimelines(r: AnalysisReport): AnalysisReport {
  return { ...r, connections: r.connections.map(withoutTimeline) };
}

/** The connections one decode in flight has found so far; a request can wait for one of them. */
export class LiveDecode {
  readonly connections = new Map<number, ConnectionReport>();
  private readonly waiters = new Map<number, Array<(c: ConnectionReport | undefined) => void>>();
  private ended = false;

  add(c: ConnectionReport): void {
    this.connections.set(c.id, c);
    const w = this.waiters.get(c.id);
    if (!w) return;
    this.waiters.delete(c.id);
    for (const f of w) f(c);
  }

  /** The connection once this decode finds it; undefined when it ends (finished, cancelled or failed) without it. */
  wait(id: number): Promise<ConnectionReport | undefined> {
    const c = this.connections.get(id);
    if (c || this.ended) return Promise.resolve(c);
    return new Promise((resolve) => {
      const w = this.waiters.get(id) ?? [];
      w.push(resolve);
      this.waiters.set(id, w);
    });
  }

  end(): void {
    this.ended = true;
    for (const w of this.waiters.values()) for (const f of w) f(undefined);
    this.waiters.clear();
  }
}

/** The decodes in flight, by capture URI; each dropped when it ends (the cached analysis holds its connections). */
export class StreamedConnections {
  private readonly live = new Map<string, LiveDecode>();
  /** Waits for a connection of a decode about to begin (its request is still reading the file's size and keys). */
  private readonly pending = new Map<string, Array<{ id: number; resolve: (c: ConnectionReport | undefined) => void }>>();

  begin(uri: string): LiveDecode {
    const m = new LiveDecode();
    this.live.set(uri, m);
    for (const w of this.pending.get(uri) ?? []) void m.wait(w.id).then(w.resolve);
    this.pending.delete(uri);
    return m;
  }

  /**
   * A connection of this capture once a decode in flight (or about to begin)
   * finds it; undefined when `settled` settles first (the analysis came from
   * the cache, or ended without it).
   */
  waitFor(uri: string, id: number, settled: Promise<unknown>): Promise<ConnectionReport | undefined> {
    const live = this.live.get(uri);
    if (live) return live.wait(id);
    return new Promise((resolve) => {
      const w = { id, resolve };
      this.pending.set(uri, [...(this.pending.get(uri) ?? []), w]);
      void settled.finally(() => {
        const left = (this.pending.get(uri) ?? []).filter((x) => x !== w);
        if (left.length) this.pending.set(uri, left);
        else this.pending.delete(uri);
        resolve(undefined);
      });
    });
  }

  end(uri: string, m: LiveDecode): void {
    m.end();
    if (this.live.get(uri) === m) this.live.delete(uri);
  }

  /** The decode of this capture in flight, if any. */
  get(uri: string): LiveDecode | undefined {
    return this.live.get(uri);
  }

  /** undefined: not streamed by a decode in flight (ask the finished analysis). */
  connection(uri: string, id: number): ConnectionReport | undefined {
    return this.live.get(uri)?.connections.get(id);
  }

  /** undefined: not streamed by a decode in flight that keeps timelines (ask the finished analysis). */
  timeline(uri: string, id: number): PacketReport[] | undefined {
    return this.connection(uri, id)?.packets;
  }
}
