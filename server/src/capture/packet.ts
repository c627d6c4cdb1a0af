import type { Diagnostic } from './source';

/** Formats recognised by content sniffing (see detect.ts). */
export type CaptureFormat =
  | 'pcap'
  | 'pcapng'
  | 'tcpdump-hex'      // tcpdump -x / -xx / -X / -XX
  | 'tshark-hex'       // tshark -x
  | 'text2pcap-hex'    // offset + hex, as text2pcap / od -Ax -tx1 read
  | 'tcpdump-summary'; // tcpdump -nn lines without payload bytes

/** LINKTYPE_* values (tcpdump.org/linktypes.html) the decoder understands. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
  /** Some platforms write DLT_RAW as 12 or 14 in pcap headers. */
  RAW_ALT12: 12,
  RAW_ALT14: 14,
} as const;

/**
 * Per-byte positions of a packet that came from a text dump: byte i of `data`
 * was written at (line[i], column[i]) and spans two characters (one in the
 * ASCII column). 0-based.
 */
export interface TextPositions {
  line: Uint32Array;
  column: Uint32Array;
  /** Column of the byte's character in the ASCII pane, or 0xffffffff when absent. */
  asciiColumn?: Uint32Array;
}

/**
 * A TCP header read from a summary line (tcpdump -nn without hex). The packet
 * then has no bytes; the TCP timeline still works, the TLS layer cannot.
 */
export interface SummaryTcp {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** tcpdump flag letters, e.g. "S", "S.", "P.", "R", "F." */
  flags: string;
  seq: number | null;     // absolute or relative as printed; seqEnd exclusive
  seqEnd: number | null;
  ack: number | null;
  window: number | null;
  length: number;
  /** Whether tcpdump printed relative sequence numbers (no -S). */
  relativeSeq: boolean;
}

export interface RawPacket {
  /** 0-based position in the capture (EPB/SPB/PB or record order). */
  index: number;
  /** Seconds since the epoch as a float; for dumps with time of day only, seconds since that midnight; NaN when the source gave none. */
  timestamp: number;
  linkType: number;
  /**
   * Captured bytes. Readers may hand out a view into a reused buffer:
   * valid only during the sink callback; copy what you keep.
   */
  data: Uint8Array;
  /** Length on the wire; > data.length when the snaplen cut the packet. */
  origLength: number;
  /** Offset of data[0] in the (decompressed) file; -1 for text dumps. */
  fileOffset: number;
  /** For text dumps: where each byte was written. */
  text?: TextPositions;
  /** 0-based line of the packet's header line (text dumps). */
  headerLine?: number;
  /** pcapng interface id. */
  interfaceId?: number;
  /** pcapng opt_comment values and similar. */
  comments?: string[];
  /** Summary-only packets (tcpdump -nn): no bytes, just the TCP header as printed. */
  summary?: SummaryTcp;
  /**
   * Readers of big files may also give the bytes as frame[frameStart..frameEnd)
   * of their read buffer, so the hot path needs no view per packet; `data`
   * is then made on first read. Same lifetime as `data`.
   */
  frame?: Uint8Array;
  frameStart?: number;
  frameEnd?: number;
}

const NO_BYTES = new Uint8Array(0);

/**
 * The one packet object a binary reader reuses for every packet (the sink
 * reads it during the call only): bytes as a frame of the read buffer, and a
 * view of them only for consumers that ask for `data`.
 */
export class FramePacket implements RawPacket {
  index = 0;
  timestamp = 0;
  linkType = 0;
  origLength = 0;
  fileOffset = 0;
  interfaceId?: number;
  comments?: string[];
  frame: Uint8Array = NO_BYTES;
  frameStart = 0;
  frameEnd = 0;
  #view: Uint8Array | null = null;

  get data(): Uint8Array {
    if (this.#view === null) this.#view = new Uint8Array(this.frame.buffer, this.frame.byteOffset + this.frameStart, this.frameEnd - this.frameStart);
    return this.#view;
  }

  setFrame(frame: Uint8Array, start: number, end: number): void {
    this.frame = frame;
    this.frameStart = start;
    this.frameEnd = end;
    this.#view = null;
  }
}

/** TLS key log lines from a pcapng Decryption Secrets Block, kept for later work. */
export interface DecryptionSecrets {
  secretsType: number;
  data: Uint8Array;
  fileOffset: number;
}

export interface InterfaceInfo {
  id: number;
  linkType: number;
  snapLen: number;
  name?: string;
  description?: string;
  /** Timestamp units per second (if_tsresol), default 1e6. */
  tsResolution: number;
  /** if_tsoffset in seconds. */
  tsOffset: number;
}

/** What a capture reader emits. Readers call these synchronously as they parse. */
export interface CaptureSink {
  packet(p: RawPacket): void;
  diagnostic(d: Diagnostic): void;
  interface?(i: InterfaceInfo): void;
  secrets?(s: DecryptionSecrets): void;
  /** Name resolution (pcapng NRB): address text → names. */
  names?(address: string, names: string[]): void;
}

/**
 * A push parser: feed the file in chunks of any size, in order; `end()` after
 * the last. Memory stays bound by the largest single record, never the file.
 */
export interface CaptureParser {
  readonly format: CaptureFormat;
  push(chunk: Uint8Array): void;
  end(): void;
  /** Bytes consumed so far (for progress). */
  readonly bytesRead: number;
}
