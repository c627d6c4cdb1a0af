/**
 * Extension blocks (ClientHello, ServerHello/HRR, EncryptedExtensions,
 * TLS 1.3 Certificate entries, CertificateRequest, NewSessionTicket).
 *
 * Decoded `data` shapes, by extension (ranges keys under `extensions[i].`):
 *   server_name             CH {serverNames:[{type,name}]}  .serverName, .serverNames[j]; SH/EE {}
 *   max_fragment_length     {value, size}
 *   status_request          CH {statusType, responderIdListLength, requestExtensionsLength}; Certificate entry {statusType, responseLength}; SH {}
 *   supported_groups        {groups, groupNames}            .groups[j]
 *   ec_point_formats        {formats, formatNames}          .formats[j]
 *   signature_algorithms(_cert), delegated_credential  {algorithms, algorithmNames}  .algorithms[j]
 *   application_layer_protocol_negotiation, application_settings(_old)  {protocols}  .protocols[j]
 *   signed_certificate_timestamp  CH {}; SH/entry {listLength, count}
 *   client/server_certificate_type  CH {types}; SH {type}
 *   padding                 {length, allZero}
 *   encrypt_then_mac, extended_master_secret, post_handshake_auth  {}
 *   compress_certificate    {algorithms}
 *   record_size_limit       {limit}
 *   session_ticket          {ticketLength}
 *   pre_shared_key          CH {identities:[{identityLength, obfuscatedTicketAge}], binderLengths}; SH {selectedIdentity}
 *   early_data              CH/EE {}; NewSessionTicket {maxEarlyDataSize}
 *   supported_versions      CH {versions, versionNames}; SH/HRR {selected, selectedName}
 *   cookie                  {length}
 *   psk_key_exchange_modes  {modes}
 *   certificate_authorities {count, length}
 *   key_share, and 40 (its TLS 1.3 draft ≤ 22 codepoint)
 *                           CH {shares:[{group, groupName, length}]}  .shares[j], .shares[j].keyExchange; SH {group, groupName, length}; HRR {selectedGroup, selectedGroupName}
 *   renegotiation_info      {length, renegotiatedConnection}
 *   heartbeat               {mode}
 *   encrypted_client_hello  CH outer {type:0, kdfId, aeadId, configId, encLength, payloadLength}; inner {type:1}; EE {retryConfigsLength}; HRR {confirmationLength}
 *   ech_outer_extensions    {types}
 *   encrypted_server_name (ESNI, 0xffce)  CH {cipherSuite, keyShareGroup, keyShareGroupName, keyShareLength, recordDigest, encryptedSniLength}; EE {nonceLength}
 *   next_protocol_negotiation  CH {}; SH {protocols}
 *   use_srtp                {profiles, profileNames, mkiLength, mki?}
 *   connection_id           {cidLength, cid}
 *   ticket_request          {newSessionCount, resumptionCount}
 *   quic_transport_parameters(_draft)  {parameters:[{id, name, value}]}  .parameters[j]  (value: number, decimal text above 2^53, hex, or true)
 * Anything else keeps `raw` (hex, at most RAW_CAP bytes, `rawTruncated` when cut).
 */
import { Cursor, DecodeStop, printable, toHex } from './reader';
import type { RangeMap, TlsExtension } from './types';
import { extensionData, type DecodedExtensionType } from '../../../shared/tlsExtensions';
import { EXT, extensionName } from '../../../shared/tls/registry/extensionTypes';
import { isGrease } from '../../../shared/tls/registry/grease';
import { namedGroupName, ecPointFormatName } from '../../../shared/tls/registry/namedGroups';
import { signatureSchemeName } from '../../../shared/tls/registry/signatureSchemes';
import { versionName } from '../../../shared/tls/registry/versions';
import { srtpProfileName } from '../../../shared/tls/registry/srtpProfiles';
import { decodeTransportParameters } from '../quic/transportParameters';

/** RFC 9001 §8.2, and the codepoint of drafts before it (0xffa5). */
const QUIC_TRANSPORT_PARAMETERS = 57;
const QUIC_TRANSPORT_PARAMETERS_DRAFT = 0xffa5;

export type ExtContext =
  | 'client_hello'
  | 'server_hello'
  | 'hello_retry_request'
  | 'encrypted_extensions'
  | 'certificate'
  | 'certificate_request'
  | 'new_session_ticket';

export const RAW_CAP = 64;

type Data = Record<string, unknown>;
type ExtDecoder = (c: Cursor, where: ExtContext, d: Data, key: string, ranges: RangeMap) => void;

function u16List(c: Cursor, field: string, key: string, ranges: RangeMap): number[] {
  const out: number[] = [];
  const n = c.checkMultiple(2, field);
  for (let i = 0; i < n; i++) {
    const at = c.pos;
    out.push(c.u16(field));
    c.ctx.mark(ranges, `${key}[${i}]`, at, at + 2);
  }
  c.pos = c.end;
  return out;
}

function u8List(c: Cursor, field: string, key: string, ranges: RangeMap): number[] {
  const out: number[] = [];
  let i = 0;
  while (c.left > 0) {
    const at = c.pos;
    out.push(c.u8(field));
    c.ctx.mark(ranges, `${key}[${i++}]`, at, at + 1);
  }
  return out;
}

/** List of 1-byte-length-prefixed strings (ALPN, NPN, ALPS). */
function protocolList(c: Cursor, key: string, ranges: RangeMap, d: Data): void {
  const protocols: string[] = [];
  d.protocols = protocols;
  let i = 0;
  while (c.left > 0) {
    const p = c.vec(1, `protocol ${i}`);
    if (p.left === 0) {
      c.ctx.problem('tls.empty-protocol', `${c.what}: empty protocol name`, p.pos - 1, p.pos, 'warning');
    }
    protocols.push(printable(c.buf, p.pos, p.end));
    c.ctx.mark(ranges, `${key}.protocols[${i++}]`, p.pos, p.end);
  }
}

function groupList(c: Cursor, d: Data, key: string, ranges: RangeMap): void {
  const groups = u16List(c, 'named group list', `${key}.groups`, ranges);
  d.groups = groups;
  d.groupNames = groups.map(namedGroupName);
}

function sigAlgList(c: Cursor, d: Data, key: string, ranges: RangeMap): void {
  const inner = c.vec(2, 'signature algorithm list');
  c.ctx.mark(ranges, `${key}.algorithmsList`, inner.pos, inner.end);
  const algs = u16List(inner, 'signature algorithm list', `${key}.algorithms`, ranges);
  d.algorithms = algs;
  d.algorithmNames = algs.map(signatureSchemeName);
  c.expectEnd();
}

function empty(c: Cursor): void {
  c.expectEnd();
}

/** key_share (RFC 8446 §4.2.8): the client's shares, the server's one share, or the group an HRR asks for. */
const keyShare: ExtDecoder = (c, where, d, key, ranges) => {
  if (where === 'hello_retry_request') {
    d.selectedGroup = c.u16('selected group');
    d.selectedGroupName = namedGroupName(d.selectedGroup as number);
    c.expectEnd();
    return;
  }
  if (where === 'server_hello') {
    const at = c.pos;
    const group = c.u16('group');
    d.group = group;
    d.groupName = namedGroupName(group);
    c.ctx.mark(ranges, `${key}.group`, at, at + 2);
    const ke = c.vec(2, 'key exchange');
    d.length = ke.left;
    c.ctx.mark(ranges, `${key}.keyExchange`, ke.pos, ke.end);
    c.expectEnd();
    return;
  }
  const list = c.vec(2, 'client shares');
  c.ctx.mark(ranges, `${key}.sharesList`, list.pos, list.end);
  const shares: Array<{ group: number; groupName: string; length: number }> = [];
  d.shares = shares;
  let i = 0;
  while (list.left > 0) {
    const at = list.pos;
    const group = list.u16('group');
    const ke = list.vec(2, 'key exchange');
    shares.push({ group, groupName: namedGroupName(group), length: ke.left });
    c.ctx.mark(ranges, `${key}.shares[${i}]`, at, ke.end);
    c.ctx.mark(ranges, `${key}.shares[${i}].group`, at, at + 2);
    c.ctx.mark(ranges, `${key}.shares[${i}].keyExchange`, ke.pos, ke.end);
    i++;
  }
  c.expectEnd();
};

// Keyed by the contract's decoded types: a decoder for an extension the contract has no `data` shape for does not compile.
const DECODERS = new Map<DecodedExtensionType, ExtDecoder>([
  [EXT.server_name, (c, _w, d, key, ranges) => {
    if (c.left === 0) return; // server acknowledgement, or an empty (malformed) client list
    const list = c.vec(2, 'server name list');
    const names: Array<{ type: number; name: string }> = [];
    d.serverNames = names;
    let i = 0;
    while (list.left > 0) {
      const type = list.u8('name type');
      const name = list.vec(2, 'host name');
      names.push({ type, name: printable(c.buf, name.pos, name.end) });
      c.ctx.mark(ranges, `${key}.serverNames[${i}]`, name.pos, name.end);
      if (type === 0 && ranges.get(`${key}.serverName`) === undefined) c.ctx.mark(ranges, `${key}.serverName`, name.pos, name.end);
      i++;
    }
    c.expectEnd();
  }],
  [EXT.max_fragment_length, (c, _w, d) => {
    const v = c.u8('max fragment length');
    d.value = v;
    d.size = v >= 1 && v <= 4 ? 1 << (8 + v) : null;
    c.expectEnd();
  }],
  [EXT.status_request, (c, where, d) => {
    if (c.left === 0) return;
    d.statusType = c.u8('status type');
    if (where === 'certificate') {
      d.responseLength = c.vec(3, 'OCSP response').left;
    } else {
      d.responderIdListLength = c.vec(2, 'responder id list').left;
      d.requestExtensionsLength = c.vec(2, 'request extensions').left;
    }
    c.expectEnd();
  }],
  [EXT.supported_groups, (c, _w, d, key, ranges) => {
    const list = c.vec(2, 'named group list');
    c.ctx.mark(ranges, `${key}.groupsList`, list.pos, list.end);
    groupList(list, d, key, ranges);
    c.expectEnd();
  }],
  [EXT.ec_point_formats, (c, _w, d, key, ranges) => {
    const list = c.vec(1, 'point format list');
    const formats = u8List(list, 'point format', `${key}.formats`, ranges);
    d.formats = formats;
    d.formatNames = formats.map(ecPointFormatName);
    c.expectEnd();
  }],
  [EXT.signature_algorithms, (c, _w, d, key, ranges) => sigAlgList(c, d, key, ranges)],
  [EXT.signature_algorithms_cert, (c, _w, d, key, ranges) => sigAlgList(c, d, key, ranges)],
  [EXT.delegated_credential, (c, where, d, key, ranges) => {
    if (where === 'client_hello' || where === 'certificate_request') sigAlgList(c, d, key, ranges);
    else {
      d.length = c.left;
      c.pos = c.end;
    }
  }],
  [EXT.alpn, (c, _w, d, key, ranges) => {
    const list = c.vec(2, 'protocol name list');
    protocolList(list, key, ranges, d);
    c.expectEnd();
  }],
  [EXT.application_settings, (c, _w, d, key, ranges) => {
    if (c.left === 0) return;
    const list = c.vec(2, 'protocol name list');
    protocolList(list, key, ranges, d);
    // Server side carries opaque settings after the list; nothing more to name.
    c.pos = c.end;
  }],
  [EXT.application_settings_old, (c, _w, d, key, ranges) => {
    if (c.left === 0) return;
    const list = c.vec(2, 'protocol name list');
    protocolList(list, key, ranges, d);
    c.pos = c.end;
  }],
  [EXT.next_protocol_negotiation, (c, _w, d, key, ranges) => {
    if (c.left === 0) return;
    protocolList(c, key, ranges, d);
  }],
  [EXT.signed_certificate_timestamp, (c, _w, d) => {
    if (c.left === 0) return;
    const list = c.vec(2, 'SCT list');
    d.listLength = list.left;
    let count = 0;
    while (list.left > 0) {
      list.vec(2, `SCT ${count}`);
      count++;
    }
    d.count = count;
    c.expectEnd();
  }],
  [EXT.client_certificate_type, certTypes],
  [EXT.server_certificate_type, certTypes],
  [EXT.padding, (c, _w, d) => {
    d.length = c.left;
    let zero = true;
    for (let i = c.pos; i < c.end; i++) if (c.buf[i] !== 0) { zero = false; break; }
    d.allZero = zero;
    if (!zero) c.ctx.problem('tls.padding-nonzero', 'padding extension contains non-zero bytes', c.pos, c.end, 'warning');
    c.pos = c.end;
  }],
  [EXT.encrypt_then_mac, (c) => empty(c)],
  [EXT.extended_master_secret, (c) => empty(c)],
  [EXT.post_handshake_auth, (c) => empty(c)],
  [EXT.compress_certificate, (c, _w, d, key, ranges) => {
    const list = c.vec(1, 'algorithm list');
    d.algorithms = u16List(list, 'algorithm list', `${key}.algorithms`, ranges);
    c.expectEnd();
  }],
  [EXT.record_size_limit, (c, _w, d) => {
    d.limit = c.u16('record size limit');
    c.expectEnd();
  }],
  [EXT.session_ticket, (c, _w, d) => {
    d.ticketLength = c.left;
    c.pos = c.end;
  }],
  [EXT.pre_shared_key, (c, where, d, key, ranges) => {
    if (where === 'server_hello') {
      d.selectedIdentity = c.u16('selected identity');
      c.expectEnd();
      return;
    }
    const ids = c.vec(2, 'identities');
    c.ctx.mark(ranges, `${key}.identities`, ids.pos, ids.end);
    const identities: Array<{ identityLength: number; obfuscatedTicketAge: number }> = [];
    d.identities = identities;
    let i = 0;
    while (ids.left > 0) {
      const id = ids.vec(2, `identity ${i}`);
      c.ctx.mark(ranges, `${key}.identities[${i}]`, id.pos, id.end);
      const age = ids.u32('obfuscated ticket age');
      identities.push({ identityLength: id.left, obfuscatedTicketAge: age });
      i++;
    }
    const binders = c.vec(2, 'binders');
    c.ctx.mark(ranges, `${key}.binders`, binders.pos, binders.end);
    const lens: number[] = [];
    d.binderLengths = lens;
    while (binders.left > 0) lens.push(binders.vec(1, `binder ${lens.length}`).left);
    c.expectEnd();
  }],
  [EXT.early_data, (c, where, d) => {
    if (where === 'new_session_ticket') d.maxEarlyDataSize = c.u32('max early data size');
    c.expectEnd();
  }],
  [EXT.supported_versions, (c, where, d, key, ranges) => {
    if (where === 'client_hello') {
      const list = c.vec(1, 'version list');
      const versions = u16List(list, 'version list', `${key}.versions`, ranges);
      d.versions = versions;
      d.versionNames = versions.map(versionName);
    } else {
      const at = c.pos;
      d.selected = c.u16('selected version');
      d.selectedName = versionName(d.selected as number);
      c.ctx.mark(ranges, `${key}.selected`, at, at + 2);
    }
    c.expectEnd();
  }],
  [EXT.cookie, (c, _w, d) => {
    d.length = c.vec(2, 'cookie').left;
    c.expectEnd();
  }],
  [EXT.psk_key_exchange_modes, (c, _w, d, key, ranges) => {
    const list = c.vec(1, 'mode list');
    d.modes = u8List(list, 'mode', `${key}.modes`, ranges);
    c.expectEnd();
  }],
  [EXT.certificate_authorities, (c, _w, d) => {
    const list = c.vec(2, 'authorities');
    d.length = list.left;
    let n = 0;
    while (list.left > 0) {
      list.vec(2, `distinguished name ${n}`);
      n++;
    }
    d.count = n;
    c.expectEnd();
  }],
  [EXT.key_share, keyShare],
  [EXT.key_share_draft, keyShare],
  [EXT.renegotiation_info, (c, _w, d) => {
    const v = c.vec(1, 'renegotiated connection');
    d.length = v.left;
    d.renegotiatedConnection = toHex(c.buf, v.pos, v.end);
    c.expectEnd();
  }],
  [EXT.heartbeat, (c, _w, d) => {
    d.mode = c.u8('heartbeat mode');
    c.expectEnd();
  }],
  [EXT.encrypted_client_hello, (c, where, d) => {
    if (where === 'encrypted_extensions') {
      d.retryConfigsLength = c.left;
      c.pos = c.end;
      return;
    }
    if (where === 'hello_retry_request') {
      d.confirmationLength = c.left;
      c.pos = c.end;
      return;
    }
    const type = c.u8('ECH type');
    d.type = type;
    if (type === 0) {
      d.kdfId = c.u16('KDF id');
      d.aeadId = c.u16('AEAD id');
      d.configId = c.u8('config id');
      d.encLength = c.vec(2, 'enc').left;
      d.payloadLength = c.vec(2, 'payload').left;
    }
    c.expectEnd();
  }],
  [EXT.encrypted_server_name, (c, where, d, key, ranges) => {
    if (where !== 'client_hello') {
      d.nonceLength = c.left;
      c.pos = c.end;
      return;
    }
    let at = c.pos;
    d.cipherSuite = c.u16('cipher suite');
    c.ctx.mark(ranges, `${key}.cipherSuite`, at, c.pos);
    at = c.pos;
    d.keyShareGroup = c.u16('key share group');
    d.keyShareGroupName = namedGroupName(d.keyShareGroup as number);
    c.ctx.mark(ranges, `${key}.keyShareGroup`, at, c.pos);
    const ke = c.vec(2, 'key exchange');
    d.keyShareLength = ke.left;
    c.ctx.mark(ranges, `${key}.keyExchange`, ke.pos, ke.end);
    const digest = c.vec(2, 'record digest');
    d.recordDigest = c.hex(digest.pos, digest.end);
    c.ctx.mark(ranges, `${key}.recordDigest`, digest.pos, digest.end);
    const sni = c.vec(2, 'encrypted sni');
    d.encryptedSniLength = sni.left;
    c.ctx.mark(ranges, `${key}.encryptedSni`, sni.pos, sni.end);
    c.expectEnd();
  }],
  [EXT.ech_outer_extensions, (c, _w, d, key, ranges) => {
    const list = c.vec(1, 'outer extensions');
    d.types = u16List(list, 'outer extensions', `${key}.types`, ranges);
    c.expectEnd();
  }],
  [EXT.use_srtp, (c, _w, d, key, ranges) => {
    const list = c.vec(2, 'profiles');
    d.profiles = u16List(list, 'profiles', `${key}.profiles`, ranges);
    d.profileNames = (d.profiles as number[]).map(srtpProfileName);
    const mki = c.vec(1, 'MKI');
    d.mkiLength = mki.left;
    if (mki.left > 0) {
      d.mki = c.hex(mki.pos, mki.end);
      Cursor.vecRanges(ranges, `${key}.mki`, mki, 1);
    }
    c.expectEnd();
  }],
  [EXT.connection_id, (c, _w, d, key, ranges) => {
    const cid = c.vec(1, 'connection id');
    d.cidLength = cid.left;
    // The CID the sender asks to receive: records to it carry these bytes (RFC 9146 §3).
    d.cid = c.hex(cid.pos, cid.end);
    Cursor.vecRanges(ranges, `${key}.cid`, cid, 1);
    c.expectEnd();
  }],
  [EXT.ticket_request, (c, _w, d) => {
    d.newSessionCount = c.u8('new session count');
    d.resumptionCount = c.u8('resumption count');
    c.expectEnd();
  }],
  [QUIC_TRANSPORT_PARAMETERS, quicTransportParameters],
  [QUIC_TRANSPORT_PARAMETERS_DRAFT, quicTransportParameters],
]);

function quicTransportParameters(c: Cursor, _w: ExtContext, d: Data, key: string, ranges: RangeMap): void {
  const base = c.pos;
  const list = decodeTransportParameters(c.buf, base, c.end);
  d.parameters = list.parameters.map((p, j) => {
    c.ctx.mark(ranges, `${key}.parameters[${j}]`, base + p.offset, base + p.offset + p.length);
    return { id: p.id, name: p.name, value: p.value };
  });
  c.pos = c.end;
  if (list.problem) c.ctx.problem('quic.transport-parameters', `${c.what}: ${list.problem.message}`, base + list.problem.offset, c.end, 'warning');
}

function certTypes(c: Cursor, where: ExtContext, d: Data, key: string, ranges: RangeMap): void {
  if (where === 'client_hello') {
    const list = c.vec(1, 'certificate types');
    d.types = u8List(list, 'certificate type', `${key}.types`, ranges);
  } else {
    d.type = c.u8('certificate type');
  }
  c.expectEnd();
}

/**
 * Decode extensions until the cursor's end; `out` keeps what was decoded if
 * this stops early. `starts`, when given, gets for each extension the index
 * in `ranges` where its entries begin, so callers can find an extension's
 * ranges without scanning them all.
 */
export function decodeExtensionList(list: Cursor, where: ExtContext, ranges: RangeMap, prefix: string, out: TlsExtension[], starts?: number[]): void {
  const ctx = list.ctx;
  const seen = new Set<number>();
  while (list.left > 0) {
    const i = out.length;
    starts?.push(ranges.size);
    const key = `${prefix}[${i}]`;
    const start = list.pos;
    if (list.left < 4) {
      ctx.problem('tls.extension-truncated', `${list.what}: ${list.left} byte(s) left, too short for an extension header`, list.pos, list.end, 'error');
      list.pos = list.end;
      break;
    }
    const type = list.u16('extension type');
    const length = list.u16('extension length');
    const ext: TlsExtension = { type, name: extensionName(type), grease: isGrease(type), length };
    out.push(ext);
    ctx.mark(ranges, `${key}.type`, start, start + 2);
    ctx.mark(ranges, `${key}.length`, start + 2, start + 4);
    const dataStart = list.pos;
    let dataEnd = dataStart + length;
    if (length > list.left) {
      ctx.problem(
        'tls.extension-overrun',
        `extension ${ext.name}: length ${length} runs past the end of the extensions block (${list.left} byte(s) left)`,
        start + 2,
        start + 4,
        'error',
      );
      dataEnd = list.end;
      ctx.mark(ranges, key, start, dataEnd);
      ctx.mark(ranges, `${key}.data`, dataStart, dataEnd);
      setRaw(ext, list.buf, dataStart, dataEnd);
      list.pos = list.end;
      break;
    }
    ctx.mark(ranges, key, start, dataEnd);
    ctx.mark(ranges, `${key}.data`, dataStart, dataEnd);
    if (seen.has(type) && !ext.grease) {
      ctx.problem('tls.duplicate-extension', `extension ${ext.name} appears more than once`, start, dataEnd, 'warning');
    }
    seen.add(type);
    list.pos = dataEnd;
    const dec = ext.grease ? undefined : DECODERS.get(type as DecodedExtensionType);
    if (dec === undefined) {
      setRaw(ext, list.buf, dataStart, dataEnd);
      continue;
    }
    // ALPN names are byte strings: fingerprints (JA4) need the exact bytes, which `protocols` only shows escaped.
    if (type === EXT.alpn) setRaw(ext, list.buf, dataStart, dataEnd);
    const d: Data = {};
    // The decoder for `type` fills ExtensionDataByType[type] (shared/tlsExtensions.ts); the contract test
    // validates every fixture's extensions against the schema made from those types.
    (ext as { data?: Data }).data = d;
    const c = new Cursor(ctx, dataStart, dataEnd, `extension ${ext.name}`);
    try {
      dec(c, where, d, key, ranges);
    } catch (e) {
      if (!(e instanceof DecodeStop)) throw e;
      // The extension framing is intact, so the following extensions still decode.
    }
  }
}

function setRaw(ext: TlsExtension, b: Uint8Array, start: number, end: number): void {
  const cut = end - start > RAW_CAP;
  ext.raw = toHex(b, start, cut ? start + RAW_CAP : end);
  if (cut) ext.rawTruncated = true;
}

/** Data of the first extension of a type (typed by the contract's union), or undefined. */
export { extensionData as findExt };
export function findExtIndex(exts: TlsExtension[], type: number): number {
  for (let i = 0; i < exts.length; i++) if (exts[i].type === type) return i;
  return -1;
}
