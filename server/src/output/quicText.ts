/**
 * The text summary's lines for a QUIC connection: what an analyst of UDP
 * blocking looks at first — version, who sent how many datagrams, the first
 * Initial's size (Russia's rule keys on ≥ 1001 bytes) and what stayed encrypted.
 */
import type { ConnectionReport } from '../../../shared/analysis';

export function quicLine(c: ConnectionReport): string | null {
  const q = c.quic;
  if (!q) return null;
  const first = q.datagramList.find((d) => d.from === 'client');
  const types = Object.entries(q.packetTypes).map(([t, n]) => `${n} ${t}`).join(', ');
  const retry = q.retry ? `; Retry (${q.retry.verified ? 'tag verified' : 'tag does NOT match'})` : '';
  // A key log opened the Handshake packets (tls.decryption counts them); 1-RTT ones are not decrypted yet.
  const opened = c.tls.decryption !== undefined && c.tls.decryption.records.client + c.tls.decryption.records.server > 0;
  const vn = q.versionNegotiation ? `; Version Negotiation offered ${q.versionNegotiation.length} version(s)` : '';
  return `    ${q.versionName}: ${q.datagrams.client} datagrams from client${first ? ` (first ${first.size} B)` : ''}, ${q.datagrams.server} from server; packets ${types}${retry}${vn}; ${opened ? '1-RTT stays' : 'Handshake and 1-RTT stay'} encrypted (no keys)`;
}
