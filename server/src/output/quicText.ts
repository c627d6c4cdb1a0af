/**
 * The text summary's lines for a QUIC connection: what an analyst of UDP
 * blocking looks at first — version, who sent how many datagrams, the first
 * Initial's size (Russia's rule keys on ≥ 1001 bytes) and what stayed encrypted.
 */
import type { ConnectionReport } from '../../../shared/analysis';
import { safeText } from './textSummary';

export function quicLine(c: ConnectionReport): string | null {
  const q = c.quic;
  if (!q) return null;
  const first = q.datagramList.find((d) => d.from === 'client');
  const types = Object.entries(q.packetTypes).map(([t, n]) => `${n} ${t}`).join(', ');
  const retry = q.retry ? `; Retry (${q.retry.verified ? 'tag verified' : 'tag does NOT match'})` : '';
  // A key log opened the Handshake packets (tls.decryption counts them) and maybe the 1-RTT ones (quic.application).
  const opened = c.tls.decryption !== undefined && c.tls.decryption.records.client + c.tls.decryption.records.server > 0;
  const vn = q.versionNegotiation ? `; Version Negotiation offered ${q.versionNegotiation.length} version(s)` : '';
  const head = `    ${q.versionName}: ${q.datagrams.client} datagrams from client${first ? ` (first ${first.size} B)` : ''}, ${q.datagrams.server} from server; packets ${types}${retry}${vn}`;
  const a = q.application;
  const closes = (q.connectionClose ?? []).map((cl) => {
    const name = cl.errorName ?? `application error 0x${cl.errorCode.toString(16)}`;
    return `    CONNECTION_CLOSE from ${cl.from} (${cl.packetType}, packet ${cl.packet}): ${name}${cl.reason ? ` "${safeText(cl.reason)}"` : ''}`;
  });
  if (!a) return [`${head}; ${opened ? '1-RTT stays' : 'Handshake and 1-RTT stay'} encrypted (no keys)`, ...closes].join('\n');
  const lines = [`${head}; ${opened ? '' : 'Handshake packets stay encrypted (no keys); '}1-RTT decrypted`];
  const failed = a.failed.client + a.failed.server > 0 ? `, not authenticated client ${a.failed.client} / server ${a.failed.server}` : '';
  const early = a.earlyPackets.decrypted + a.earlyPackets.failed > 0 ? `; 0-RTT: ${a.earlyPackets.decrypted} decrypted${a.earlyPackets.failed > 0 ? `, ${a.earlyPackets.failed} not` : ''}` : '';
  lines.push(`    1-RTT: client ${a.packets.client} / server ${a.packets.server} packets${failed}; key updates client ${a.keyUpdates.client} / server ${a.keyUpdates.server}; STREAM data client ${a.streamBytes.client} B / server ${a.streamBytes.server} B on ${a.streams} stream(s)${early}${a.handshakeDone === null ? '; no HANDSHAKE_DONE' : `; HANDSHAKE_DONE in packet ${a.handshakeDone}`}`);
  return [...lines, ...closes].join('\n');
}
