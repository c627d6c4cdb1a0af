import type { HelloLayout } from '../../../shared/analysis';
import type { StreamMap } from '../tcp/streamMap';
import type { HandshakeMessage, TlsRecord } from '../tls/types';

/**
 * Where a hello's bytes sit: the TLS records and the TCP segments it spans.
 * Evidence in its own right: a censor that reassembles neither records nor
 * segments misses a ClientHello split over several (Iran 2023: split records
 * got through, split segments did not).
 */
export function helloLayout(m: HandshakeMessage, records: readonly TlsRecord[], map: StreamMap): HelloLayout {
  const [s, e] = m.span;
  const recs: HelloLayout['records'] = [];
  for (const r of records) {
    if (r.from !== m.from || r.span[1] <= s || r.span[0] >= e) continue;
    if (r.contentType !== 22 && r.contentType !== 0x80) continue;
    recs.push({ index: r.index ?? -1, span: [r.span[0], r.span[1]], length: r.length });
  }
  const segments: HelloLayout['segments'] = [];
  for (const g of map.segments) {
    if (g.end <= s || g.start >= e) continue;
    const last = segments[segments.length - 1];
    if (last && last.packet === g.packet) last.span[1] = Math.max(last.span[1], g.end);
    else segments.push({ packet: g.packet, span: [g.start, g.end] });
  }
  return { records: recs, segments, splitRecords: recs.length > 1, splitSegments: segments.length > 1 };
}
