/**
 * ServerKeyExchange (RFC 5246 §7.4.3, RFC 8422 §5.4, RFC 4279/5489 for PSK,
 * RFC 5054 for SRP). Its layout depends on the negotiated suite's key exchange
 * and, for the signature, on the version (TLS 1.2 adds a SignatureAndHashAlgorithm).
 */
import { bitLength, Cursor, DecodeStop, MsgCtx } from './reader';
import { RangeMap, type ServerKeyExchange } from './types';
import { cipherSuiteInfo, type KeyExchange } from '../../../shared/tls/registry/cipherSuites';
import { ecCurveTypeName, namedGroupName } from '../../../shared/tls/registry/namedGroups';
import { signatureSchemeName } from '../../../shared/tls/registry/signatureSchemes';

/**
 * Without the ServerHello (decoder joined after a gap) the suite is unknown:
 * an ECDHE body starts with curve type 3 and a named curve whose point vector
 * fits; anything else is tried as DHE.
 */
function guessKex(buf: Uint8Array): KeyExchange {
  if (buf.length >= 8 && buf[4] === 3 && 4 + 4 + buf[7] <= buf.length) return 'ecdhe';
  return 'dhe';
}

export function decodeServerKeyExchange(ctx: MsgCtx, suite: number | null, version: number | null): ServerKeyExchange {
  const info = suite === null ? null : cipherSuiteInfo(suite);
  let kex: KeyExchange = info?.kex ?? 'unknown';
  const guessed = kex === 'unknown';
  if (guessed) kex = guessKex(ctx.buf);
  const ske: ServerKeyExchange = { kind: 'unknown', kex, ranges: new RangeMap() };
  if (info?.anonymous) ske.anonymous = true;
  const r = ske.ranges;
  const c = new Cursor(ctx, 4, ctx.buf.length, 'ServerKeyExchange');
  const b = ctx.buf;
  try {
    if (kex === 'psk' || kex === 'rsa-psk' || kex === 'dhe-psk' || kex === 'ecdhe-psk') {
      const hint = c.vec(2, 'psk identity hint');
      Cursor.vecRanges(r, 'pskIdentityHint', hint, 2);
      ske.pskIdentityHint = c.hex(hint.pos, hint.end);
      ske.kind = 'psk';
    }
    switch (kex) {
      case 'dhe':
      case 'dhe-psk': {
        ske.kind = 'dhe';
        const p = c.vec(2, 'dh_p');
        Cursor.vecRanges(r, 'dhPrime', p, 2);
        ske.dhPrime = c.hex(p.pos, p.end);
        ske.dhPrimeBits = bitLength(b, p.pos, p.end);
        const g = c.vec(2, 'dh_g');
        Cursor.vecRanges(r, 'dhGenerator', g, 2);
        ske.dhGenerator = c.hex(g.pos, g.end);
        const ys = c.vec(2, 'dh_Ys');
        Cursor.vecRanges(r, 'dhPublic', ys, 2);
        ske.dhPublic = c.hex(ys.pos, ys.end);
        ske.dhPublicBits = bitLength(b, ys.pos, ys.end);
        break;
      }
      case 'ecdhe':
      case 'ecdhe-psk': {
        ske.kind = 'ecdhe';
        let at = c.pos;
        ske.curveType = c.u8('curve type');
        c.ctx.mark(r, 'curveType', at, c.pos);
        if (ske.curveType !== 3) {
          // Explicit curve parameters: legal in RFC 4492, removed by RFC 8422, and a classic spoofing vector.
          ctx.problem('tls.explicit-curve', `ServerKeyExchange: curve type ${ecCurveTypeName(ske.curveType)} (explicit parameters) is not decoded`, at, c.end, 'warning');
          c.pos = c.end;
          return ske;
        }
        at = c.pos;
        ske.namedCurve = c.u16('named curve');
        ske.namedCurveName = namedGroupName(ske.namedCurve);
        c.ctx.mark(r, 'namedCurve', at, c.pos);
        const pt = c.vec(1, 'public point');
        Cursor.vecRanges(r, 'ecPoint', pt, 1);
        ske.ecPoint = c.hex(pt.pos, pt.end);
        break;
      }
      case 'rsa-export':
      case 'rsa': {
        // A ServerKeyExchange under plain RSA is the export (or SSL 3 "step-up") temporary key.
        ske.kind = 'rsa-export';
        const mod = c.vec(2, 'rsa_modulus');
        Cursor.vecRanges(r, 'rsaModulus', mod, 2);
        ske.rsaModulus = c.hex(mod.pos, mod.end);
        ske.rsaModulusBits = bitLength(b, mod.pos, mod.end);
        const exp = c.vec(2, 'rsa_exponent');
        Cursor.vecRanges(r, 'rsaExponent', exp, 2);
        ske.rsaExponent = c.hex(exp.pos, exp.end);
        break;
      }
      case 'srp': {
        ske.kind = 'srp';
        const n = c.vec(2, 'srp_N');
        Cursor.vecRanges(r, 'srpPrime', n, 2);
        ske.srpPrimeBits = bitLength(b, n.pos, n.end);
        const g = c.vec(2, 'srp_g');
        Cursor.vecRanges(r, 'srpGenerator', g, 2);
        ske.srpGenerator = c.hex(g.pos, g.end);
        const s = c.vec(1, 'srp_s');
        Cursor.vecRanges(r, 'srpSalt', s, 1);
        ske.srpSalt = c.hex(s.pos, s.end);
        const pub = c.vec(2, 'srp_B');
        Cursor.vecRanges(r, 'srpPublic', pub, 2);
        ske.srpPublicBits = bitLength(b, pub.pos, pub.end);
        break;
      }
      case 'psk':
      case 'rsa-psk':
        break;
      default:
        ctx.problem('tls.unexpected-message', `ServerKeyExchange with a ${kex} cipher suite, which has none`, 4, c.end, 'warning');
        c.pos = c.end;
        return ske;
    }
    // PSK variants and anonymous suites are not signed.
    const signed = !ske.anonymous && kex !== 'psk' && kex !== 'rsa-psk' && kex !== 'dhe-psk' && kex !== 'ecdhe-psk';
    if (signed && c.left > 0) {
      const rest = c.left;
      const sigLenNoAlg = rest >= 2 ? (b[c.pos] << 8) | b[c.pos + 1] : -1;
      // TLS 1.2 prefixes the algorithm; before it, only the signature vector. Trust the bytes when the version is unknown.
      const withAlg = version === null || guessed ? !(sigLenNoAlg === rest - 2) : version >= 0x0303;
      if (withAlg) {
        const at = c.pos;
        const alg = c.u16('signature algorithm');
        ske.signatureAlgorithm = alg;
        ske.signatureAlgorithmName = signatureSchemeName(alg);
        c.ctx.mark(r, 'signatureAlgorithm', at, c.pos);
      } else {
        ske.signatureAlgorithm = null;
        ske.signatureAlgorithmName = null;
      }
      const sig = c.vec(2, 'signature');
      Cursor.vecRanges(r, 'signature', sig, 2);
      ske.signatureLength = sig.left;
    } else if (signed) {
      ctx.problem('tls.missing-signature', 'ServerKeyExchange: parameters are not followed by a signature', c.pos, c.end, 'warning');
    }
    c.expectEnd();
  } catch (e) {
    if (!(e instanceof DecodeStop)) throw e;
  }
  return ske;
}
