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

/** The connections a decode in flight has streamed, by capture URI; dropped when the decode ends (the cached analysis holds them). */
export class StreamedConnections {
  private readonly live = new Map<string, Map<number, ConnectionReport>>();

  begin(uri: string): Map<number, ConnectionReport> {
    const m = new Map<number, ConnectionReport>();
    this.live.set(uri, m);
    return m;
  }

  end(uri: string, m: Map<number, ConnectionReport>): void {
    if (this.live.get(uri) === m) this.live.delete(uri);
  }

  /** undefined: not streamed by a decode in flight (ask the finished analysis). */
  connection(uri: string, id: number): ConnectionReport | undefined {
    return this.live.get(uri)?.get(id);
  }

  /** undefined: not streamed by a decode in flight (ask the finished analysis). */
  timeline(uri: string, id: number): PacketReport[] | undefined {
    const c = this.connection(uri, id);
    return c && (c.packets ?? []);
  }
}
