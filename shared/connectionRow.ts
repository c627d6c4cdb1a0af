/**
 * A connection as the capture editor's list shows it: the row's columns, its
 * badges and what the filter searches, nothing more. A 220 MB capture's
 * connections in full (hellos, certificates, messages, suspects) are ~35 MB
 * of JSON, and serialising, relaying and cloning that cost the editor most of
 * its time while the list needs ~1 % of it; the full connection is asked for
 * when the user opens one (`ConnectionDetailRequest`). Browser-safe.
 */
import type { ConnectionReport, Endpoint, ReportDiagnostic } from './analysis';

export interface ConnectionRow {
  id: number;
  client: Endpoint;
  server: Endpoint;
  transport?: ConnectionReport['transport'];
  /** The SNI (the session's, else the ClientHello's). */
  serverName: string | null;
  versionName: string | null;
  lastMessage: string | null;
  decryption: 'decrypted' | 'partly decrypted' | null;
  /** A DTLS connection's ICE username (WebRTC). */
  iceUser: string | null;
  /** How TLS was reached when not at the stream's first byte (`noTls`: the preamble never led to TLS). */
  preamble: { protocol: string; noTls: string | null } | null;
  fingerprints: { ja3: string | null; ja3s: string | null; ja4: string | null; ja4s: string | null };
  /** Warnings and errors only (badge, filter, Problems panel); the info notes come with the full connection. */
  diagnostics: ReportDiagnostic[];
}

export function connectionRow(c: ConnectionReport): ConnectionRow {
  const d = c.tls.decryption;
  const f = c.fingerprints;
  return {
    id: c.id,
    client: c.client,
    server: c.server,
    ...(c.transport ? { transport: c.transport } : {}),
    serverName: c.tls.serverName ?? c.clientHello?.serverName ?? null,
    versionName: c.tls.versionName ?? null,
    lastMessage: c.tls.lastMessage ?? null,
    decryption: d ? (d.failed.client + d.failed.server > 0 ? 'partly decrypted' : 'decrypted') : null,
    iceUser: c.dtls?.stun.find((x) => x.username !== undefined)?.username ?? null,
    preamble: c.preamble ? { protocol: c.preamble.protocol, noTls: c.preamble.noTls } : null,
    fingerprints: { ja3: f.ja3, ja3s: f.ja3s, ja4: f.ja4 ?? null, ja4s: f.ja4s ?? null },
    diagnostics: c.diagnostics.filter((x) => x.severity !== 'info'),
  };
}
