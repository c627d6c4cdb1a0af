/**
 * The decoders' objects turned into the JSON contract's (shared/analysis.ts).
 * The contract is declared apart so that it changes only on purpose: the
 * checks below make the compiler refuse a decoder field that the contract
 * lacks, or a contract field the decoder no longer fills, instead of the
 * output silently changing shape.
 */
import type { CertificateReport, ClientHelloReport, ServerHelloReport, ServerKeyExchangeReport, SourceRanges } from '../../../shared/analysis';
import type { StreamMap } from '../tcp/streamMap';
import type { ClientHello, ServerHello, ServerKeyExchange } from '../tls/types';
import type { CertificateExtension, CertificatePublicKey } from '../x509/certificate';
import { withSourceRanges } from './sourceRanges';

/** True only when A and B are the same type (optional and readonly modifiers included). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type Body<T> = Omit<T, 'ranges'>;

// Each line fails to compile when the decoder's type and the contract's drift apart.
const sameClientHello: Same<Body<ClientHello>, Body<ClientHelloReport>> = true;
const sameServerHello: Same<Body<ServerHello>, Body<ServerHelloReport>> = true;
const sameServerKeyExchange: Same<Body<ServerKeyExchange>, Body<ServerKeyExchangeReport>> = true;
// Certificate reports are built field by field (connectionReport.ts), except these two, passed through.
const samePublicKey: Same<CertificatePublicKey, NonNullable<CertificateReport['publicKey']>> = true;
const sameCertExtension: Same<CertificateExtension, CertificateReport['extensions'][number]> = true;
void [sameClientHello, sameServerHello, sameServerKeyExchange, samePublicKey, sameCertExtension];

/** In the engine a report's hellos always carry their ranges (lazily resolved); `--json` drops them unless asked. */
type Ranged<T> = T & { ranges: SourceRanges };

export function clientHelloReport(ch: ClientHello, map: StreamMap): Ranged<ClientHelloReport> {
  return withSourceRanges(ch, map);
}

export function serverHelloReport(sh: ServerHello, map: StreamMap): Ranged<ServerHelloReport> {
  return withSourceRanges(sh, map);
}

export function serverKeyExchangeReport(ske: ServerKeyExchange, map: StreamMap): Ranged<ServerKeyExchangeReport> {
  return withSourceRanges(ske, map);
}
