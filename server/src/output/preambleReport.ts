import type { PreambleReport, PreambleUnitReport, ReportDiagnostic, TlsSummary } from '../../../shared/analysis';
import type { TlsSession } from '../analysis/tlsSession';
import { judgePreamble } from '../preamble/classify';
import type { StreamMap } from '../tcp/streamMap';
import type { Direction } from '../tls/types';

export interface PreambleParts {
  preamble: PreambleReport | null;
  startedBy: TlsSummary['startedBy'];
  startOffset: TlsSummary['startOffset'];
  diagnostics: ReportDiagnostic[];
  /** Worth listing even without TLS: the client asked for it, or went through a proxy. */
  relevant: boolean;
}

/** The connection's preamble as the contract shows it, with where each unit sits in the source. */
export function preambleParts(tls: TlsSession | null, maps: Record<Direction, StreamMap>, connection: number): PreambleParts {
  const none: PreambleParts = { preamble: null, startedBy: null, startOffset: null, diagnostics: [], relevant: false };
  if (!tls) return none;
  const s = tls.preamble;
  const diagnostics: ReportDiagnostic[] = [];
  for (const from of ['client', 'server'] as const) {
    const u = s.unknownTls[from];
    if (!u) continue;
    const span: [number, number] = [u.offset, u.offset + 5];
    diagnostics.push({
      severity: 'warning', code: 'tls.unknown-preamble', connection, packet: maps[from].packetAt(u.offset), location: maps[from].resolve(span)[0] ?? null,
      message: `${from}: a TLS record header at stream offset ${u.offset} follows bytes of a protocol not known to turn into TLS ("${u.after}"); not decoded`,
    });
  }
  const verdict = judgePreamble(s, tls.isTls);
  if (!verdict) {
    return tls.isTls ? { ...none, startedBy: 'stream-start', startOffset: { client: 0, server: 0 }, diagnostics } : { ...none, diagnostics };
  }
  const preamble: PreambleReport = {
    protocol: verdict.startedBy,
    chain: verdict.chain,
    units: s.units.map((u) => {
      const unit: PreambleUnitReport = { from: u.from, span: u.span, text: u.text, packet: maps[u.from].packetAt(u.span[0]), range: maps[u.from].resolve(u.span) };
      if (u.parts) unit.elements = u.parts.map((p) => ({ name: p.name, span: p.span, value: p.value, range: maps[u.from].resolve(p.span) }));
      return unit;
    }),
    unitsDropped: s.unitsDropped,
    destination: s.destination,
    source: s.source,
    noTls: verdict.noTls,
    towardTls: verdict.relevant,
  };
  if (verdict.noTls !== null) {
    diagnostics.push({ severity: 'warning', code: 'tls.no-tls-after-preamble', connection, location: null, message: `${verdict.chain.join(' › ')}: ${verdict.noTls}` });
  }
  return {
    preamble,
    startedBy: verdict.startedBy,
    startOffset: verdict.noTls === null ? { client: s.tlsStart.client, server: s.tlsStart.server } : null,
    diagnostics,
    relevant: verdict.relevant,
  };
}
