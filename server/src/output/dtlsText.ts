/**
 * The text summary's line for a DTLS association: datagrams per side, the
 * cookie exchange, fragmentation and retransmission, and what else shared the
 * 5-tuple (WebRTC: STUN with the ICE username, SRTP).
 */
import type { ConnectionReport } from '../../../shared/analysis';
import { safeText } from './textSummary';

export function dtlsLine(c: ConnectionReport): string | null {
  const d = c.dtls;
  if (!d) return null;
  const parts = [`DTLS: ${d.datagrams.client} datagrams from client, ${d.datagrams.server} from server`];
  if (d.helloVerifyRequest) parts.push(`HelloVerifyRequest cookie ${d.cookie === null ? '?' : `${d.cookie.length / 2} B`}`);
  const fragmented = c.messages.filter((m) => m.packets.length > 1).map((m) => `${m.name} in ${m.packets.length} datagrams`);
  if (fragmented.length > 0) parts.push(`fragmented: ${fragmented.join(', ')}`);
  if (d.retransmittedFragments > 0) parts.push(`${d.retransmittedFragments} retransmitted fragment(s)`);
  if (d.differingFragments > 0) parts.push(`${d.differingFragments} fragment(s) differing from the first copy`);
  if (d.connectionIds.client !== null || d.connectionIds.server !== null) parts.push(`connection IDs client ${d.connectionIds.client ?? '-'} server ${d.connectionIds.server ?? '-'}`);
  const muxed = Object.entries(d.multiplexed).filter(([k]) => k !== 'dtls').map(([k, n]) => `${n} ${k.toUpperCase()}`);
  if (muxed.length > 0) parts.push(`same 5-tuple: ${muxed.join(', ')}`);
  const user = d.stun.find((s) => s.username !== undefined)?.username;
  if (user !== undefined) parts.push(`ICE username ${safeText(user)}`);
  return `    ${parts.join('; ')}`;
}
