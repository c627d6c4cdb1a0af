/**
 * Encrypted ClientHello (0xfe0d, RFC 9849) and its predecessor ESNI (0xffce):
 * is a connection's ECH likely real or GREASE, and what the server's answer
 * says about acceptance. Evidence, not proof; the reasons are stated on the
 * connection (ConnectionReport.ech).
 *
 * Why these signs (../shared/notes/censorship-2019-2026.md, RFC 9849 §6.2):
 * - GREASE ECH has random contents and keeps the real server name in the
 *   outer SNI; a client with an ECH configuration puts the provider's
 *   public_name there instead (Cloudflare: cloudflare-ech.com), and uses the
 *   config id of that configuration, so the same (public name, config id)
 *   recurs across connections while GREASE draws a fresh random id each time.
 * - A server that accepted ECH answers a HelloRetryRequest with the ECH
 *   extension (its 8-byte confirmation); otherwise its acceptance sits in the
 *   last 8 bytes of ServerHello.random, which only the inner ClientHello's
 *   secrets can check.
 * - ESNI had no GREASE form: a client sent it only with the server's keys.
 */
import type { ConnectionReport, EchReport } from '../../../shared/analysis';
import { extensionData } from '../../../shared/tlsExtensions';
import { EXT } from '../../../shared/tls/registry/extensionTypes';

/** Outer SNIs of ECH providers (public_name of their ECHConfig), as documented in the project's notes. */
export const ECH_PUBLIC_NAMES: ReadonlySet<string> = new Set(['cloudflare-ech.com']);

/** (outer SNI, config id) pairs of earlier connections of the run, bounded: a hostile capture could hold endless names. */
export class EchSightings {
  private readonly seen = new Map<string, Set<number>>();

  /** Whether the pair was seen before; remembers it. */
  sawBefore(name: string, configId: number): boolean {
    const ids = this.seen.get(name);
    if (ids?.has(configId)) return true;
    if (ids) ids.add(configId);
    else if (this.seen.size < 4096) this.seen.set(name, new Set([configId]));
    return false;
  }
}

/** The connection's ECH/ESNI assessment, or undefined when its ClientHello carries neither. */
export function assessEch(c: ConnectionReport, sightings: EchSightings): EchReport | undefined {
  const ch = c.clientHello;
  if (!ch) return undefined;
  const sni = ch.serverName;
  const hrr = c.messages.find((m) => m.serverHello?.helloRetryRequest)?.serverHello;
  const sh = c.serverHello && !c.serverHello.helloRetryRequest ? c.serverHello : null;
  const esni = extensionData(ch.extensions, EXT.encrypted_server_name);
  if (esni) {
    return {
      kind: 'esni', likely: 'real', outerServerName: sni, configId: null, hrrConfirmation: null,
      evidence: ['ESNI (0xffce) has no GREASE form: a client sent it only with keys from the server\'s published ESNIKeys (record digest ' +
        `${esni.recordDigest ? esni.recordDigest.slice(0, 16) + '…' : 'unknown'})`],
      acceptance: sh ? 'the server\'s ESNI answer (its nonce echo) is in the encrypted EncryptedExtensions: not visible' : 'no ServerHello',
    };
  }
  const ech = extensionData(ch.extensions, EXT.encrypted_client_hello);
  if (!ech) return undefined;
  const configId = ech.type === 0 && ech.configId !== undefined ? ech.configId : null;
  const hrrConfirmation = hrr ? hrr.extensions.some((e) => e.type === EXT.encrypted_client_hello) : null;
  const evidence: string[] = [];
  let likely: EchReport['likely'] = 'undetermined';
  if (ech.type === 1) {
    evidence.push('the ClientHello carries the inner form of the extension (type 1): this is the decrypted inner hello, not what travels on the wire');
  } else {
    if (sni !== null && ECH_PUBLIC_NAMES.has(sni)) {
      likely = 'real';
      evidence.push(`the outer SNI ${sni} is the public name of a known ECH provider, which a client uses only with that provider's ECH configuration`);
    }
    if (sni !== null && configId !== null && sightings.sawBefore(sni, configId)) {
      likely = 'real';
      evidence.push(`config id ${configId} was used with the outer SNI ${sni} by an earlier connection of this capture: a real configuration recurs, GREASE draws a random id each time (1 in 256 to repeat by chance)`);
    }
    if (hrrConfirmation) {
      likely = 'real';
      evidence.push('the server\'s HelloRetryRequest carries the ECH extension: it accepted ECH');
    }
    if (likely !== 'real' && sni !== null) {
      likely = 'grease';
      evidence.push(`the outer SNI ${sni} is not a known ECH public name and config id ${configId ?? '?'} was not seen with it before: GREASE ECH keeps the real server name`);
    } else if (likely !== 'real') {
      evidence.push('no outer SNI to compare with an ECH public name');
    }
  }
  let acceptance: string;
  if (hrr) {
    acceptance = hrrConfirmation
      ? 'HelloRetryRequest carries the ECH confirmation (present; its 8-byte value needs the inner ClientHello\'s secrets to verify)'
      : 'HelloRetryRequest without the ECH extension: the server did not accept ECH';
  } else if (sh) {
    acceptance = 'an accepting server signals it in the last 8 bytes of ServerHello.random: not checkable without the inner ClientHello\'s secrets';
  } else {
    acceptance = 'no ServerHello';
  }
  return { kind: 'ech', likely, outerServerName: sni, configId, hrrConfirmation, evidence, acceptance };
}
