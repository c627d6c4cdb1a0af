import { FramePacket, type CaptureFormat, type CaptureParser, type CaptureSink, type InterfaceInfo } from './packet';
import { offsetLocation, type Severity } from './source';

/**
 * Hard ceiling for one pcap record or pcapng block. A corrupt length field is
 * the usual way a capture reader gets talked into a multi-gigabyte allocation;
 * nothing a real capture tool writes comes near this.
 */
export const MAX_UNIT_BYTES = 16 * 1024 * 1024;
/** libpcap's own MAXIMUM_SNAPLEN; records up to this size are always accepted. */
export const DEFAULT_RECORD_CAP = 262144;

const EMPTY = new Uint8Array(0);

export function readU16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
}

export function readU32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
    : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/**
 * Splits a pushed byte stream into length-prefixed units (pcap records,
 * pcapng blocks) without copying: a unit that lies wholly inside a chunk is
 * handed to `unit()` as (chunk, offset); only a unit that straddles chunks is
 * assembled in one reused carry buffer. Each unit's length is asked for
 * exactly once, so length checks may emit diagnostics.
 */
export abstract class RecordFramer implements CaptureParser {
  abstract readonly format: CaptureFormat;
  /** Absolute offset of the unit being processed / the next unit. */
  protected pos = 0;
  protected stopped = false;
  private received = 0;
  private carry: Uint8Array = EMPTY;
  private carryLen = 0;
  /** Length of the unit in the carry buffer; 0 while its header is incomplete. */
  private carryNeed = 0;
  private ended = false;

  protected constructor(
    protected readonly sink: CaptureSink,
    /** Bytes a unit needs before unitLength() can be called; every unit is at least this long. */
    protected headerSize: number,
  ) {}

  get bytesRead(): number {
    return this.received;
  }

  /**
   * Validates the unit header at b[o..o+headerSize) and returns the whole
   * unit's length (>= headerSize), or -1 after calling stop().
   */
  protected abstract unitLength(b: Uint8Array, o: number): number;
  /** Handles one complete unit b[o..o+len); this.pos is its file offset. */
  protected abstract unit(b: Uint8Array, o: number, len: number): void;
  /** The input ended inside a unit that starts at this.pos. */
  protected abstract truncated(have: number, need: number): void;
  /** The input ended cleanly on a unit boundary. */
  protected abstract finished(): void;

  push(chunk: Uint8Array): void {
    this.received += chunk.length;
    if (this.stopped || this.ended || chunk.length === 0) return;
    let p = 0;
    if (this.carryLen > 0) {
      p = this.continueCarry(chunk);
      if (p < 0) return;
    }
    const n = chunk.length;
    while (!this.stopped) {
      const avail = n - p;
      if (avail < this.headerSize) break;
      const len = this.unitLength(chunk, p);
      if (len < 0) return;
      if (avail < len) {
        this.startCarry(chunk, p, len);
        return;
      }
      this.unit(chunk, p, len);
      p += len;
      this.pos += len;
    }
    if (!this.stopped && p < n) this.startCarry(chunk, p, 0);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.stopped) return;
    if (this.carryLen > 0) {
      this.truncated(this.carryLen, this.carryNeed > 0 ? this.carryNeed : this.headerSize);
    } else {
      this.finished();
    }
    this.stopped = true;
    this.carry = EMPTY;
  }

  /** Stops parsing for good: everything already emitted stays valid. */
  protected stop(code: string, message: string, offset: number, length = 1): void {
    this.report('error', code, message, offset, length);
    this.stopped = true;
    this.carry = EMPTY;
    this.carryLen = 0;
  }

  protected report(severity: Severity, code: string, message: string, offset: number, length = 1, packet?: number): void {
    const d = { severity, code, message, location: offsetLocation(offset, length) };
    this.sink.diagnostic(packet === undefined ? d : { ...d, packet });
  }

  private startCarry(chunk: Uint8Array, p: number, need: number): void {
    const rest = chunk.length - p;
    this.reserve(Math.max(need, rest, this.headerSize));
    this.carry.set(chunk.subarray(p), 0);
    this.carryLen = rest;
    this.carryNeed = need;
  }

  /** Returns the chunk position after the completed unit, or -1 if the chunk was used up (or parsing stopped). */
  private continueCarry(chunk: Uint8Array): number {
    let p = 0;
    if (this.carryNeed === 0) {
      const take = Math.min(this.headerSize - this.carryLen, chunk.length);
      this.carry.set(chunk.subarray(0, take), this.carryLen);
      this.carryLen += take;
      p = take;
      if (this.carryLen < this.headerSize) return -1;
      const len = this.unitLength(this.carry, 0);
      if (len < 0) return -1;
      this.carryNeed = len;
      this.reserve(len);
    }
    const take = Math.min(this.carryNeed - this.carryLen, chunk.length - p);
    this.carry.set(chunk.subarray(p, p + take), this.carryLen);
    this.carryLen += take;
    p += take;
    if (this.carryLen < this.carryNeed) return -1;
    const len = this.carryNeed;
    this.carryLen = 0;
    this.carryNeed = 0;
    this.unit(this.carry, 0, len);
    this.pos += len;
    return this.stopped ? -1 : p;
  }

  private reserve(size: number): void {
    if (this.carry.length >= size) return;
    // Doubling keeps a run of growing records from copying the carry every time.
    const next = new Uint8Array(Math.max(size, Math.min(this.carry.length * 2, MAX_UNIT_BYTES + 64), 65536));
    next.set(this.carry.subarray(0, this.carryLen), 0);
    this.carry = next;
  }
}

/** Per-file cap on repeated per-record warnings, so a damaged 1 GB file cannot flood the sink. */
const MAX_RECORD_WARNINGS = 20;

/**
 * libpcap savefile reader ("pcap", not pcapng). Records are emitted with
 * `data` viewing the pushed chunk (or the carry buffer when a record spans
 * chunks), so the view is only valid during sink.packet().
 */
export class PcapParser extends RecordFramer {
  readonly format = 'pcap' as const;
  private le = true;
  private fracPerSecond = 1e6;
  private linkType = 0;
  private snapLen = 0;
  private cap = DEFAULT_RECORD_CAP;
  private headerDone = false;
  private index = 0;
  private warnings = 0;
  private readonly current = new FramePacket();

  constructor(sink: CaptureSink) {
    super(sink, 24);
  }

  /** Packets emitted so far. */
  get packets(): number {
    return this.index;
  }

  protected unitLength(b: Uint8Array, o: number): number {
    if (!this.headerDone) return this.readFileHeader(b, o) ? 24 : -1;
    const le = this.le;
    const incl = readU32(b, o + 8, le);
    const orig = readU32(b, o + 12, le);
    if (incl > this.cap) {
      this.stop(
        'pcap.record-length',
        `record at offset ${this.pos} claims ${incl} captured bytes, more than the ${this.cap}-byte limit ` +
          `(snaplen ${this.snapLen}); the file is corrupt from here on`,
        this.pos + 8,
        4,
      );
      return -1;
    }
    if (incl > orig) {
      this.stop(
        'pcap.record-length',
        `record at offset ${this.pos} has captured length ${incl} > original length ${orig}; the file is corrupt from here on`,
        this.pos + 8,
        8,
      );
      return -1;
    }
    return 16 + incl;
  }

  protected unit(b: Uint8Array, o: number, len: number): void {
    if (!this.headerDone) {
      this.headerDone = true;
      this.headerSize = 16;
      const info: InterfaceInfo = {
        id: 0,
        linkType: this.linkType,
        snapLen: this.snapLen,
        tsResolution: this.fracPerSecond,
        tsOffset: 0,
      };
      this.sink.interface?.(info);
      return;
    }
    const le = this.le;
    const sec = readU32(b, o, le);
    const frac = readU32(b, o + 4, le);
    if (frac >= this.fracPerSecond) this.warnFraction(frac);
    const start = o + 16;
    // One object for every packet: the sink reads it during the call only
    // (packet.ts), and a fresh one per packet is measurable GC on big files.
    const p = this.current;
    p.index = this.index++;
    p.timestamp = sec + frac / this.fracPerSecond;
    p.linkType = this.linkType;
    p.setFrame(b, start, o + len);
    p.origLength = readU32(b, o + 12, le);
    p.fileOffset = this.pos + 16;
    this.sink.packet(p);
  }

  protected truncated(have: number, need: number): void {
    if (!this.headerDone) {
      this.report('error', 'pcap.truncated', `truncated pcap file header (needs 24 bytes, file has ${have})`, 0, have);
      return;
    }
    this.report(
      'error',
      'pcap.truncated',
      `truncated record at offset ${this.pos} (needs ${need} bytes, file has ${have})`,
      this.pos,
      have,
    );
  }

  protected finished(): void {
    if (!this.headerDone) this.report('error', 'pcap.truncated', 'empty file: no pcap file header', 0, 0);
  }

  private readFileHeader(b: Uint8Array, o: number): boolean {
    const m0 = b[o], m1 = b[o + 1], m2 = b[o + 2], m3 = b[o + 3];
    if (m0 === 0xd4 && m1 === 0xc3 && m2 === 0xb2 && m3 === 0xa1) this.setOrder(true, 1e6);
    else if (m0 === 0xa1 && m1 === 0xb2 && m2 === 0xc3 && m3 === 0xd4) this.setOrder(false, 1e6);
    else if (m0 === 0x4d && m1 === 0x3c && m2 === 0xb2 && m3 === 0xa1) this.setOrder(true, 1e9);
    else if (m0 === 0xa1 && m1 === 0xb2 && m2 === 0x3c && m3 === 0x4d) this.setOrder(false, 1e9);
    else if ((m0 === 0x34 && m1 === 0xcd && m2 === 0xb2 && m3 === 0xa1) || (m0 === 0xa1 && m1 === 0xb2 && m2 === 0xcd && m3 === 0x34)) {
      // Its records carry 8 extra header bytes; reading them as standard records would misparse every packet.
      this.stop('pcap.magic', 'modified (Kuznetzov/Nokia) pcap format with magic a1b2cd34 is not supported; convert it with editcap -F pcap', 0, 4);
      return false;
    } else {
      const hex = [m0, m1, m2, m3].map((x) => x.toString(16).padStart(2, '0')).join(' ');
      this.stop('pcap.magic', `not a pcap file: magic ${hex} is not a1b2c3d4 or a1b23c4d in either byte order`, 0, 4);
      return false;
    }
    const le = this.le;
    const major = readU16(b, o + 4, le);
    const minor = readU16(b, o + 6, le);
    if (major !== 2) {
      this.report('warning', 'pcap.version', `unexpected pcap version ${major}.${minor} (expected 2.4); reading it as 2.4`, 4, 4);
    }
    const thisZone = readU32(b, o + 8, le) | 0;
    if (thisZone !== 0) {
      this.report('info', 'pcap.thiszone', `header thiszone is ${thisZone}; ignored, as libpcap and Wireshark do (timestamps are read as UTC)`, 8, 4);
    }
    this.snapLen = readU32(b, o + 16, le);
    this.cap = Math.min(MAX_UNIT_BYTES, Math.max(DEFAULT_RECORD_CAP, this.snapLen));
    const field = readU32(b, o + 20, le);
    // Only the low 16 bits are the link type; the upper bits carry FCS-length info (libpcap LT_FCS_*).
    this.linkType = field & 0xffff;
    if (field & 0x04000000) {
      const fcsBytes = ((field >>> 28) & 0xf) * 2;
      this.report('info', 'pcap.fcs', `every packet ends with a ${fcsBytes}-byte frame check sequence (link-type field 0x${field.toString(16)})`, 20, 4);
    }
    return true;
  }

  private setOrder(le: boolean, fracPerSecond: number): void {
    this.le = le;
    this.fracPerSecond = fracPerSecond;
  }

  private warnFraction(frac: number): void {
    if (this.warnings > MAX_RECORD_WARNINGS) return;
    if (this.warnings++ === MAX_RECORD_WARNINGS) {
      this.report('warning', 'pcap.timestamp', 'further timestamp warnings suppressed', this.pos, 8);
      return;
    }
    const unit = this.fracPerSecond === 1e6 ? 'microseconds' : 'nanoseconds';
    this.report(
      'warning',
      'pcap.timestamp',
      `record at offset ${this.pos} has ${frac} ${unit} in its timestamp, a second or more`,
      this.pos + 4,
      4,
      this.index,
    );
  }
}
