/**
 * The capture editor's packet timelines on demand. A 220 MB capture's
 * timelines are ~80 MB of JSON: sent for every connection (streamed, then
 * again in the response and in the verdicts' report) they cost the editor
 * two minutes. The editor gets connections without them and asks for the
 * one it shows; while a decode is still running, the connections it has
 * streamed so far answer that, afterwards the cached analysis does.
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

/** Timelines of the connections a decode in flight has streamed, by capture URI; dropped when the decode ends. */
export class StreamedTimelines {
  private readonly live = new Map<string, Map<number, PacketReport[] | undefined>>();

  begin(uri: string): Map<number, PacketReport[] | undefined> {
    const m = new Map<number, PacketReport[] | undefined>();
    this.live.set(uri, m);
    return m;
  }

  end(uri: string, m: Map<number, PacketReport[] | undefined>): void {
    if (this.live.get(uri) === m) this.live.delete(uri);
  }

  /** undefined: not streamed by a decode in flight (ask the finished analysis). */
  get(uri: string, connection: number): PacketReport[] | undefined {
    const m = this.live.get(uri);
    return m?.has(connection) ? (m.get(connection) ?? []) : undefined;
  }
}
