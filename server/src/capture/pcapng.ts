import { FramePacket, type CaptureSink, type InterfaceInfo } from './packet';
import { MAX_UNIT_BYTES, RecordFramer, readU16, readU32 } from './pcap';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const PB = 0x00000002; // obsolete Packet Block
const SPB = 0x00000003;
const NRB = 0x00000004;
const ISB = 0x00000005;
const EPB = 0x00000006;
const DSB = 0x0000000a;
const CB_COPY = 0x00000bad;
const CB_NOCOPY = 0x40000bad;

/** Block types we know but do not use; named in the skip note so a user can tell them from garbage. */
const KNOWN_SKIPPED: Record<number, string> = {
  0x00000007: 'IRIG timestamp block',
  0x00000008: 'ARINC 429 block',
  0x00000009: 'systemd journal export block',
  0x80000001: 'Darwin process event block',
};

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

const MAX_BLOCK_WARNINGS = 20;

const utf8 = new TextDecoder('utf-8');

interface Iface {
  info: InterfaceInfo;
  linkType: number;
  snapLen: number;
  /** Timestamp units per second. */
  units: number;
  offset: number;
}

function hex32(v: number): string {
  return '0x' + v.toString(16).padStart(8, '0');
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Decodes an option string; some writers include the C terminator in the length. */
function optString(b: Uint8Array, start: number, len: number): string {
  let end = start + len;
  while (end > start && b[end - 1] === 0) end--;
  return utf8.decode(b.subarray(start, end));
}

function formatIPv4(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** RFC 5952 text form, so names match what the rest of the tool prints for IPv6 addresses. */
export function formatIPv6(b: Uint8Array, o: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[o + 2 * i] << 8) | b[o + 2 * i + 1]);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (g: number) => g.toString(16);
  if (bestStart < 0) return groups.map(hex).join(':');
  const head = groups.slice(0, bestStart).map(hex).join(':');
  const tail = groups.slice(bestStart + bestLen).map(hex).join(':');
  return `${head}::${tail}`;
}

function formatMac(b: Uint8Array, o: number, n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(b[o + i].toString(16).padStart(2, '0'));
  return parts.join(':');
}

/**
 * pcapng reader. Interface ids in emitted packets and InterfaceInfo are
 * file-wide (IDBs numbered in file order across all sections), since a
 * section-local id is ambiguous once a second section starts.
 */
export class PcapngParser extends RecordFramer {
  readonly format = 'pcapng' as const;
  private le = true;
  private inSection = false;
  private section = -1;
  private ifaces: Iface[] = [];
  private nextIfaceId = 0;
  private index = 0;
  private warnings = 0;
  private notes = 0;
  // Scratch results of readOptions(), reset per call; avoids a closure or object per block.
  private optComments: string[] | null = null;
  private readonly current = new FramePacket();
  private optName: string | undefined;
  private optDescription: string | undefined;
  private optTsUnits = 1e6;
  private optTsOffset = 0;

  constructor(sink: CaptureSink) {
    super(sink, 12);
  }

  get packets(): number {
    return this.index;
  }

  /** Section Header Blocks read so far. */
  get sections(): number {
    return this.section + 1;
  }

  protected unitLength(b: Uint8Array, o: number): number {
    const at = this.pos;
    // The SHB type reads the same in both byte orders; its byte-order magic decides how to read everything after it.
    const isShb = b[o] === 0x0a && b[o + 1] === 0x0d && b[o + 2] === 0x0d && b[o + 3] === 0x0a;
    if (isShb) {
      const magicLe = readU32(b, o + 8, true);
      if (magicLe === 0x1a2b3c4d) this.le = true;
      else if (magicLe === 0x4d3c2b1a) this.le = false;
      else {
        this.stop('pcapng.byte-order', `section header at offset ${at} has byte-order magic ${hex32(readU32(b, o + 8, false))}, not 1a2b3c4d in either order`, at + 8, 4);
        return -1;
      }
    } else if (!this.inSection) {
      this.stop('pcapng.no-section', `block at offset ${at} is not a Section Header Block (type ${hex32(readU32(b, o, false))}); not a pcapng file`, at, 4);
      return -1;
    }
    const len = readU32(b, o + 4, this.le);
    let problem: string | null = null;
    if (len < 12) problem = 'is less than the 12-byte minimum';
    else if (len % 4 !== 0) problem = 'is not a multiple of 4';
    else if (len > MAX_UNIT_BYTES) problem = `exceeds the ${MAX_UNIT_BYTES}-byte limit`;
    else if (isShb && len < 28) problem = 'is too short for a Section Header Block';
    if (problem) {
      this.stop('pcapng.block-length', `block at offset ${at} (type ${hex32(readU32(b, o, this.le))}): total length ${len} ${problem}; the file is corrupt from here on`, at + 4, 4);
      return -1;
    }
    return len;
  }

  protected unit(b: Uint8Array, o: number, len: number): void {
    const le = this.le;
    const at = this.pos;
    const trailer = readU32(b, o + len - 4, le);
    const type = readU32(b, o, le);
    if (trailer !== len) {
      this.stop(
        'pcapng.block-length',
        `block at offset ${at} (type ${hex32(type)}): trailing length ${trailer} does not match leading length ${len}; the file is corrupt from here on`,
        at + len - 4,
        4,
      );
      return;
    }
    const end = o + len - 4; // end of body (options end here)
    switch (type) {
      case EPB: return this.enhancedPacket(b, o, len, end);
      case SPB: return this.simplePacket(b, o, len);
      case PB: return this.obsoletePacket(b, o, len, end);
      case SHB: return this.sectionHeader(b, o, end);
      case IDB: return this.interfaceDescription(b, o, end);
      case NRB: return this.nameResolution(b, o, end);
      case DSB: return this.decryptionSecrets(b, o, len);
      case ISB: return; // statistics only: nothing the handshake analysis uses
      case CB_COPY:
      case CB_NOCOPY: {
        const pen = len >= 16 ? readU32(b, o + 8, le) : -1;
        this.note('pcapng.custom-block', `custom block (type ${hex32(type)}, PEN ${pen}) at offset ${at}, ${len} bytes, skipped`, at, len);
        return;
      }
      default: {
        const known = KNOWN_SKIPPED[type];
        const what = known ? `${known} (type ${hex32(type)})` : `unknown block type ${hex32(type)}`;
        this.note('pcapng.unknown-block', `${what} at offset ${at}, ${len} bytes, skipped`, at, len);
      }
    }
  }

  protected truncated(have: number, need: number): void {
    this.report('error', 'pcapng.truncated', `truncated block at offset ${this.pos} (needs ${need} bytes, file has ${have})`, this.pos, have);
  }

  protected finished(): void {
    if (!this.inSection) this.report('error', 'pcapng.truncated', 'empty file: no pcapng Section Header Block', 0, 0);
  }

  private sectionHeader(b: Uint8Array, o: number, end: number): void {
    const major = readU16(b, o + 12, this.le);
    const minor = readU16(b, o + 14, this.le);
    if (major !== 1) {
      // Another major version may lay out every block differently.
      this.stop('pcapng.version', `section header at offset ${this.pos} has version ${major}.${minor}; only 1.x can be read`, this.pos + 12, 4);
      return;
    }
    this.inSection = true;
    this.section++;
    this.ifaces = [];
    this.readOptions(b, o + 24, end);
  }

  private interfaceDescription(b: Uint8Array, o: number, end: number): void {
    if (end - o < 16) {
      this.warnBlock('pcapng.block-length', `interface description block at offset ${this.pos} is too short`, this.pos, end - o + 4);
      return;
    }
    const le = this.le;
    const linkType = readU16(b, o + 8, le);
    const snapLen = readU32(b, o + 12, le);
    this.readOptions(b, o + 16, end, true);
    const info: InterfaceInfo = {
      id: this.nextIfaceId++,
      linkType,
      snapLen,
      tsResolution: this.optTsUnits,
      tsOffset: this.optTsOffset,
    };
    if (this.optName !== undefined) info.name = this.optName;
    if (this.optDescription !== undefined) info.description = this.optDescription;
    this.ifaces.push({ info, linkType, snapLen, units: this.optTsUnits, offset: this.optTsOffset });
    this.sink.interface?.(info);
  }

  private iface(id: number, what: string): Iface | null {
    const f = this.ifaces[id];
    if (f !== undefined) return f;
    this.warnBlock(
      'pcapng.interface-id',
      `${what} at offset ${this.pos} refers to interface ${id}, but section ${this.section} has ${this.ifaces.length} interface(s); packet skipped`,
      this.pos + 8,
      4,
      'error',
    );
    return null;
  }

  private enhancedPacket(b: Uint8Array, o: number, len: number, end: number): void {
    this.packetBlock(b, o, len, end, 'enhanced packet block', 4);
  }

  /** The obsolete Packet Block: an EPB with a 16-bit interface id (and a drops count beside it). */
  private obsoletePacket(b: Uint8Array, o: number, len: number, end: number): void {
    this.packetBlock(b, o, len, end, 'packet block', 2);
  }

  /** EPB and PB share the layout after the interface id: timestamp, captured and original length, data, options. */
  private packetBlock(b: Uint8Array, o: number, len: number, end: number, what: string, idBytes: 2 | 4): void {
    if (len < 32) {
      this.warnBlock('pcapng.block-length', `${what} at offset ${this.pos} is ${len} bytes, too short for its header; skipped`, this.pos, len, 'error');
      return;
    }
    const le = this.le;
    const f = this.iface(idBytes === 4 ? readU32(b, o + 8, le) : readU16(b, o + 8, le), what);
    if (f === null) return;
    const capLen = readU32(b, o + 20, le);
    const origLen = readU32(b, o + 24, le);
    if (capLen > len - 32) {
      this.warnBlock('pcapng.packet-length', `${what} at offset ${this.pos} claims ${capLen} captured bytes but has room for ${len - 32}; skipped`, this.pos + 20, 4, 'error');
      return;
    }
    const start = o + 28;
    this.optComments = null;
    const optStart = start + pad4(capLen);
    if (optStart < end) this.readOptions(b, optStart, end);
    this.emit(f, readU32(b, o + 12, le), readU32(b, o + 16, le), b, start, start + capLen, origLen, 28);
  }

  private simplePacket(b: Uint8Array, o: number, len: number): void {
    if (len < 16) {
      this.warnBlock('pcapng.block-length', `simple packet block at offset ${this.pos} is ${len} bytes, too short for its header; skipped`, this.pos, len, 'error');
      return;
    }
    const f = this.iface(0, 'simple packet block');
    if (f === null) return;
    const origLen = readU32(b, o + 8, this.le);
    // An SPB has no captured-length field: it is the original length cut by the snaplen, bounded by the block.
    let capLen = Math.min(origLen, len - 16);
    if (f.snapLen > 0 && capLen > f.snapLen) capLen = f.snapLen;
    const start = o + 12;
    this.optComments = null;
    // SPBs carry no timestamp.
    this.emitAt(f, NaN, b, start, start + capLen, origLen, 12);
  }

  private emit(f: Iface, hi: number, lo: number, b: Uint8Array, start: number, end: number, origLen: number, dataOffset: number): void {
    // Exact up to 2^53 units; beyond that (ns since 1970 is ~2^61) the float result cannot hold the digits anyway.
    const timestamp = (hi * 4294967296 + lo) / f.units + f.offset;
    this.emitAt(f, timestamp, b, start, end, origLen, dataOffset);
  }

  private emitAt(f: Iface, timestamp: number, b: Uint8Array, start: number, end: number, origLen: number, dataOffset: number): void {
    if (origLen < end - start) {
      this.warnBlock('pcapng.packet-length', `packet block at offset ${this.pos}: captured length ${end - start} exceeds original length ${origLen}`, this.pos, 4, 'warning', this.index);
    }
    // One object for every packet, read by the sink during the call only (packet.ts).
    const p = this.current;
    p.index = this.index++;
    p.timestamp = timestamp;
    p.linkType = f.linkType;
    p.setFrame(b, start, end);
    p.origLength = origLen;
    p.fileOffset = this.pos + dataOffset;
    p.interfaceId = f.info.id;
    p.comments = this.optComments ?? undefined;
    this.sink.packet(p);
  }

  private nameResolution(b: Uint8Array, o: number, end: number): void {
    const le = this.le;
    let p = o + 8;
    while (p + 4 <= end) {
      const type = readU16(b, p, le);
      const vlen = readU16(b, p + 2, le);
      if (type === 0) break; // nrb_record_end
      const v = p + 4;
      if (v + vlen > end) {
        this.warnBlock('pcapng.nrb-record', `name resolution record at offset ${this.pos + (p - o)} runs past its block; rest of the block ignored`, this.pos + (p - o), 4);
        return;
      }
      const addrLen = type === 1 ? 4 : type === 2 ? 16 : type === 3 ? 6 : type === 4 ? 8 : -1;
      if (addrLen > 0 && vlen >= addrLen) {
        const address = type === 1 ? formatIPv4(b, v) : type === 2 ? formatIPv6(b, v) : formatMac(b, v, addrLen);
        const names: string[] = [];
        let s = v + addrLen;
        const vend = v + vlen;
        for (let i = s; i <= vend; i++) {
          if (i === vend || b[i] === 0) {
            if (i > s) names.push(utf8.decode(b.subarray(s, i)));
            s = i + 1;
          }
        }
        if (names.length > 0) this.sink.names?.(address, names);
      }
      p = v + pad4(vlen);
    }
  }

  private decryptionSecrets(b: Uint8Array, o: number, len: number): void {
    const le = this.le;
    const secretsLen = len >= 20 ? readU32(b, o + 12, le) : -1;
    if (secretsLen < 0 || secretsLen > len - 20) {
      this.warnBlock('pcapng.block-length', `decryption secrets block at offset ${this.pos} claims ${secretsLen} bytes of secrets but has room for ${Math.max(0, len - 20)}; skipped`, this.pos, len, 'error');
      return;
    }
    const start = o + 16;
    // Copied: the sink keeps secrets beyond the callback, and b may be a reused buffer.
    this.sink.secrets?.({ secretsType: readU32(b, o + 8, le), data: new Uint8Array(b.subarray(start, start + secretsLen)), fileOffset: this.pos + 16 });
  }

  /**
   * Reads options in b[p..end) into the opt* scratch fields. Option codes
   * other than opt_comment mean different things per block type, hence `idb`.
   */
  private readOptions(b: Uint8Array, p: number, end: number, idb = false): void {
    const le = this.le;
    this.optComments = null;
    this.optName = undefined;
    this.optDescription = undefined;
    this.optTsUnits = 1e6;
    this.optTsOffset = 0;
    const blockStart = this.pos;
    while (p + 4 <= end) {
      const code = readU16(b, p, le);
      const olen = readU16(b, p + 2, le);
      if (code === OPT_ENDOFOPT) return;
      const v = p + 4;
      if (v + olen > end) {
        this.warnBlock('pcapng.option', `option ${code} in the block at offset ${blockStart} runs past the end of the block; remaining options ignored`, blockStart, 4);
        return;
      }
      switch (idb || code === OPT_COMMENT ? code : -1) {
        case OPT_COMMENT:
          (this.optComments ??= []).push(optString(b, v, olen));
          break;
        case IF_NAME:
          this.optName = optString(b, v, olen);
          break;
        case IF_DESCRIPTION:
          this.optDescription = optString(b, v, olen);
          break;
        case IF_TSRESOL:
          if (olen >= 1) {
            const r = b[v];
            this.optTsUnits = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
          }
          break;
        case IF_TSOFFSET:
          if (olen >= 8) {
            // 64-bit signed seconds.
            const hi = le ? readU32(b, v + 4, true) | 0 : readU32(b, v, false) | 0;
            const lo = le ? readU32(b, v, true) : readU32(b, v + 4, false);
            this.optTsOffset = hi * 4294967296 + lo;
          }
          break;
        default:
          break;
      }
      p = v + pad4(olen);
    }
  }

  private note(code: string, message: string, offset: number, length: number): void {
    if (this.notes > MAX_BLOCK_WARNINGS) return;
    if (this.notes++ === MAX_BLOCK_WARNINGS) {
      this.report('info', code, 'further notes about skipped blocks suppressed', offset, length);
      return;
    }
    this.report('info', code, message, offset, length);
  }

  private warnBlock(code: string, message: string, offset: number, length: number, severity: 'error' | 'warning' = 'warning', packet?: number): void {
    if (this.warnings > MAX_BLOCK_WARNINGS) return;
    if (this.warnings++ === MAX_BLOCK_WARNINGS) {
      this.report('warning', code, 'further block warnings suppressed', offset, length);
      return;
    }
    this.report(severity, code, message, offset, length, packet);
  }
}
