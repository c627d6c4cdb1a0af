import type { ConnectionReport, Endpoint, InputReport } from '../../../shared/analysis';

/**
 * What the comparison reads of every connection besides matching
 * (matchConnections.ts) and the pairs: where it went, when, and its name.
 * Held for every connection of both captures while their reports are on disk
 * (streamedCompare.ts), so it stays a few hundred bytes.
 */
export interface ConnectionBrief {
  id: number;
  client: Endpoint;
  server: Endpoint;
  startTime: number;
  endTime: number;
  transport: ConnectionReport['transport'];
  serverName: string | null;
  /** When the client sent its first packet (NaN without a timeline or a packet from the client). */
  firstSent: number;
  hasClientHello: boolean;
  tcpPackets: number;
}

export function connectionBrief(c: ConnectionReport): ConnectionBrief {
  const first = (c.packets ?? []).find((p) => p.from === 'client');
  return {
    id: c.id, client: c.client, server: c.server, startTime: c.startTime, endTime: c.endTime, transport: c.transport, serverName: c.tls.serverName,
    firstSent: first ? first.time : NaN, hasClientHello: !!c.clientHello, tcpPackets: c.tcp.packets,
  };
}

/** One capture as the comparison sees it apart from its pairs: its input and the briefs of its connections, by id. */
export interface CaptureBriefs {
  input: InputReport;
  connections: readonly ConnectionBrief[];
}
