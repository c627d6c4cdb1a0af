import { createHash, type Hash } from 'crypto';
import { SharedFileReader } from './sharedFileReader';
import * as fs from 'fs';
import { SNIFF_BYTES, sniffFormat } from './detect';
import { GunzipPump, isGzip, STREAM_LIMITS, type GunzipOutcome, type InflateLimits } from './gzip';
import type { CaptureFormat, CaptureParser, CaptureSink } from './packet';
import { PcapParser } from './pcap';
import { PcapngParser } from './pcapng';
import { offsetLocation } from './source';
import { detectTextDialect, parseTextDump } from './text';

export interface ReadCaptureOptions {
  /** Called at most about once per MiB read from disk, and once at the end. */
  onProgress?(bytesRead: number, totalBytes: number): void;
  signal?: AbortSignal;
  /**
   * Asked after each chunk; a promise returned pauses reading until it
   * settles (a consumer writing results to a slow pipe keeps memory bounded).
   */
  backpressure?(): Promise<unknown> | undefined;
  /** Files at least this big are read and hashed on a second thread (default 32 MiB; smaller ones here). */
  hashOnThreadFrom?: number;
  /** Read size; default 4 MiB (fewer reads and thread wake-ups, which are dear on a virtual machine). */
  chunkSize?: number;
}

export interface ReadCaptureResult {
  format: CaptureFormat;
  compressed: boolean;
  packets: number;
  /** Bytes of the file as stored (compressed bytes for .gz). */
  bytes: number;
  /** SHA-256 (hex) of the file as stored, so reports can name exactly which file was analysed. */
  sha256: string;
  /** Bytes after decompression (equal to `bytes` when not compressed). */
  decodedBytes: number;
}

const DEFAULT_CHUNK = 4 << 20;
/** Below this, starting a worker costs more than hashing inline. */
const HASH_IN_WORKER_BYTES = 32 << 20;
const PROGRESS_STEP = 1 << 20;
/** Text dumps are parsed from one string; V8 strings top out near 512 MiB, and real dumps are tiny. */
export const MAX_TEXT_BYTES = 256 * 1024 * 1024;

function abortError(signal: AbortSignal): Error {
  const e = new Error('reading the capture was aborted', { cause: signal.reason });
  e.name = 'AbortError';
  (e as NodeJS.ErrnoException).code = 'ABORT_ERR';
  return e;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * A dump as people save it: UTF-16 by its byte-order mark (PowerShell's `>`),
 * else UTF-8 (a UTF-8 mark is dropped by the decoder).
 */
function decodeText(bytes: Uint8Array): string {
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  return new TextDecoder(encoding).decode(bytes);
}

/**
 * The pipeline shared by readCapture and readCaptureBytes: hash the stored
 * bytes, gunzip if needed, sniff the decoded head, then stream into a parser
 * (binary) or collect (text).
 */
class CaptureFeed {
  /** Null when the caller hashes the file elsewhere (a worker thread, for big files). */
  private readonly hash: Hash | null;
  private readonly sink: CaptureSink;
  bytes = 0;
  decoded = 0;
  packets = 0;
  compressed = false;
  private rawHead: Uint8Array[] | null = [];
  private rawHeadLen = 0;
  private pump: GunzipPump | null = null;
  private head: Uint8Array[] | null = [];
  private headLen = 0;
  private parser: CaptureParser | null = null;
  private text: Uint8Array[] | null = null;

  constructor(
    outer: CaptureSink,
    /** Size of the stored file (sizes the gzip slices). */
    private readonly size: number,
    hashHere = true,
    private readonly limits: InflateLimits = STREAM_LIMITS,
  ) {
    this.hash = hashHere ? createHash('sha256') : null;
    this.sink = {
      packet: (p) => {
        this.packets++;
        outer.packet(p);
      },
      diagnostic: (d) => outer.diagnostic(d),
      interface: outer.interface ? (i) => outer.interface!(i) : undefined,
      secrets: outer.secrets ? (s) => outer.secrets!(s) : undefined,
      names: outer.names ? (a, n) => outer.names!(a, n) : undefined,
    };
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    this.hash?.update(chunk);
    this.bytes += chunk.length;
    if (this.rawHead) {
      this.rawHead.push(chunk);
      this.rawHeadLen += chunk.length;
      // Two bytes decide gzip or not. A chunk kept past this call is copied:
      // the reader refills its buffers.
      if (this.rawHeadLen < 2) {
        this.rawHead[this.rawHead.length - 1] = chunk.slice();
        return;
      }
      chunk = this.takeRawHead();
    }
    if (this.pump) await this.pump.write(chunk);
    else this.decodedChunk(chunk);
  }

  async finish(): Promise<ReadCaptureResult> {
    if (this.rawHead) {
      const chunk = this.takeRawHead();
      if (chunk.length > 0) {
        if (this.pump) await this.pump.write(chunk);
        else this.decodedChunk(chunk);
      }
    }
    // One pass: what zlib could not decode is reported, never inflated again.
    if (this.pump) this.gzipProblem(await this.pump.end());
    return this.finishDecoded();
  }

  /** The synchronous path for uncompressed bytes already in memory. */
  readAll(bytes: Uint8Array): ReadCaptureResult {
    // Inflating is streamed and bounded, so asynchronous: compressed bytes go through readCaptureData.
    if (isGzip(bytes)) throw new Error('gzip data in memory is read with readCaptureData (streaming, bounded)');
    this.hash?.update(bytes);
    this.bytes = bytes.length;
    this.rawHead = null;
    for (let o = 0; o < bytes.length; o += DEFAULT_CHUNK) this.decodedChunk(bytes.subarray(o, o + DEFAULT_CHUNK));
    return this.finishDecoded();
  }

  private finishDecoded(): ReadCaptureResult {
    if (this.head) this.decide();
    let format: CaptureFormat;
    if (this.parser) {
      this.parser.end();
      format = this.parser.format;
    } else {
      const bytes = concat(this.text ?? [], this.decoded);
      this.text = null;
      const text = decodeText(bytes);
      // Text that is no dump at all (a README, a log) is "not a capture", like unknown binary:
      // a one-line reason and a failing exit, not an empty analysis.
      if (detectTextDialect(text) === null) {
        throw new Error('not a capture: the file is text, but not tcpdump -x/-X, tshark -x, offset-hex (text2pcap) or tcpdump -nn output');
      }
      format = parseTextDump(text, this.sink);
    }
    return {
      format,
      compressed: this.compressed,
      packets: this.packets,
      bytes: this.bytes,
      sha256: this.hash ? this.hash.digest('hex') : '',
      decodedBytes: this.decoded,
    };
  }

  dispose(): void {
    this.pump?.destroy();
  }

  private takeRawHead(): Uint8Array {
    const chunk = concat(this.rawHead!, this.rawHeadLen);
    this.rawHead = null;
    if (isGzip(chunk)) {
      this.compressed = true;
      this.pump = new GunzipPump((d) => this.decodedChunk(d), this.limits, this.size);
    }
    return chunk;
  }

  private gzipProblem({ error, truncated, checksum, stopped }: GunzipOutcome): void {
    if (error && this.decoded === 0) {
      throw new Error(`not a capture: the gzip data cannot be decompressed (${error.message})`);
    }
    // Where decoding ended, in the decompressed stream that every other offset refers to.
    const location = offsetLocation(this.decoded, 0);
    if (stopped) {
      const why = stopped.kind === 'ratio'
        ? `it inflates more than ${this.limits.maxRatio} times its compressed size, as a decompression bomb does`
        : `the output limit of ${this.limits.maxOutput} bytes was reached`;
      this.sink.diagnostic({
        severity: 'warning',
        code: 'gzip.limit',
        message: `gzip decompression stopped after ${this.decoded} bytes from ${stopped.compressed} compressed bytes: ${why}; the rest of the file (${this.bytes - stopped.compressed} compressed bytes) was not decoded`,
        location,
      });
    } else if (truncated) {
      this.sink.diagnostic({
        severity: 'warning',
        code: 'gzip.truncated',
        message: `gzip data ends early (after ${this.bytes} compressed bytes): kept the ${this.decoded} bytes decoded before the cut`,
        location,
      });
    } else if (checksum) {
      this.sink.diagnostic({
        severity: 'error',
        code: 'gzip.corrupt',
        message: `gzip checksum does not match (${error!.message}): all ${this.decoded} decoded bytes were read, but some of them may be damaged`,
        location,
      });
    } else if (error) {
      this.sink.diagnostic({
        severity: 'error',
        code: 'gzip.corrupt',
        message: `gzip data is corrupt (${error.message}): kept the ${this.decoded} bytes decoded before it; later data may be missing`,
        location,
      });
    }
  }

  private decodedChunk(chunk: Uint8Array): void {
    this.decoded += chunk.length;
    if (this.parser) {
      this.parser.push(chunk);
      return;
    }
    if (this.text) {
      this.collectText(chunk);
      return;
    }
    this.head!.push(chunk);
    this.headLen += chunk.length;
    if (this.headLen >= SNIFF_BYTES) this.decide();
    else this.head![this.head!.length - 1] = chunk.slice();
  }

  private collectText(chunk: Uint8Array): void {
    if (this.decoded > MAX_TEXT_BYTES) {
      throw new Error(`text dump larger than ${MAX_TEXT_BYTES / (1024 * 1024)} MiB; convert it to pcap first (text2pcap)`);
    }
    // Copied: a chunk from the file stream or zlib may be a view into a pooled buffer.
    this.text!.push(new Uint8Array(chunk));
  }

  private decide(): void {
    const parts = this.head!;
    this.head = null;
    const head = concat(parts, this.headLen);
    const kind = sniffFormat(head);
    switch (kind) {
      case 'pcap':
        this.parser = new PcapParser(this.sink);
        break;
      case 'pcapng':
        this.parser = new PcapngParser(this.sink);
        break;
      case 'text':
        this.text = [];
        this.collectText(head);
        return;
      default: {
        const where = this.compressed ? ' (inside the gzip data)' : '';
        if (head.length === 0) throw new Error(`not a capture: the file is empty${where}`);
        // Said by kind, never by quoting the bytes: a file given by mistake may hold anything.
        if (kind === 'gzip') throw new Error(`not a capture: gzip inside gzip is not supported${where}`);
        throw new Error(`not a capture: the data${where} starts with no pcap, pcapng or gzip magic number and is not a text dump`);
      }
    }
    this.parser.push(head);
  }
}

/**
 * Reads a capture file (pcap, pcapng, either gzip-compressed, or a text dump)
 * into `sink`, streaming: memory stays bound by the largest record, except
 * for text dumps, which are parsed whole. Rejects with an Error whose name is
 * 'AbortError' when `signal` fires, and with a one-line reason when the file
 * is not a capture at all; problems inside a capture are diagnostics.
 */
export async function readCapture(path: string, sink: CaptureSink, opts: ReadCaptureOptions = {}): Promise<ReadCaptureResult> {
  const { signal, onProgress } = opts;
  if (signal?.aborted) throw abortError(signal);
  // Checked before opening: opening a FIFO without a writer blocks (on a
  // libuv thread, where no abort reaches it), and a device never ends.
  const total = await regularFileSize(path);
  const size = opts.chunkSize ?? DEFAULT_CHUNK;
  // Big files are read and hashed on a second thread while this one parses.
  const big = total >= (opts.hashOnThreadFrom ?? HASH_IN_WORKER_BYTES);
  const feed = new CaptureFeed(sink, total, !big);
  let reported = 0;
  const afterChunk = async (): Promise<void> => {
    const wait = opts.backpressure?.();
    if (wait) await wait;
    if (onProgress && feed.bytes - reported >= PROGRESS_STEP) {
      reported = feed.bytes;
      onProgress(feed.bytes, total);
    }
  };
  try {
    const sha256 = big ? await readOnThread(path, size, total, feed, afterChunk, signal) : await readHere(path, size, total, feed, afterChunk, signal);
    if (signal?.aborted) throw abortError(signal);
    const result = await feed.finish();
    // Decompression can emit the last packets only now; an abort during them counts too.
    if (signal?.aborted) throw abortError(signal);
    if (sha256 !== null) result.sha256 = sha256;
    onProgress?.(feed.bytes, total);
    return result;
  } catch (e) {
    if (signal?.aborted) throw abortError(signal);
    throw e;
  } finally {
    feed.dispose();
  }
}

/**
 * The size of a capture that can be read to its end; a clear reason for
 * anything else. Files that grow while read are read to this size.
 */
async function regularFileSize(path: string): Promise<number> {
  const st = await fs.promises.stat(path);
  if (st.isFile()) return st.size;
  const what = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a named pipe (FIFO)' : st.isCharacterDevice() ? 'a character device'
    : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a regular file';
  throw new Error(`not a capture file: ${path} is ${what}; save the capture to a file first`);
}

/**
 * Read-ahead of the second thread, in chunks: one being parsed, two being
 * read and hashed. Six (24 MiB) took no less CPU and held 13 MB more at peak.
 */
const THREAD_SLOTS = 3;

/** Big files: a second thread reads and hashes into shared slots (sharedFileReader.ts); returns the SHA-256. */
async function readOnThread(path: string, size: number, limit: number, feed: CaptureFeed, afterChunk: () => Promise<void>, signal?: AbortSignal): Promise<string> {
  const reader = new SharedFileReader(path, THREAD_SLOTS, size, { limit });
  try {
    for (;;) {
      const chunk = await reader.next();
      if (signal?.aborted) throw abortError(signal);
      if (chunk === null) break;
      // Parsers copy whatever they keep past a push (packet.ts), so the slot can be refilled after it.
      await feed.write(chunk.bytes);
      reader.release(chunk.slot);
      await afterChunk();
    }
    return await reader.digest();
  } finally {
    reader.cancel();
  }
}

/**
 * Small files: read here, one chunk at a time into one reused buffer (no
 * fresh buffer per chunk, which V8 counts as external memory and answers
 * with extra collections). Hashed by the feed.
 */
async function readHere(path: string, size: number, limit: number, feed: CaptureFeed, afterChunk: () => Promise<void>, signal?: AbortSignal): Promise<null> {
  const file = await fs.promises.open(path, 'r');
  try {
    const buffer = new Uint8Array(size);
    for (let position = 0; ;) {
      const want = Math.min(size, limit - position);
      const { bytesRead } = want > 0 ? await file.read(buffer, 0, want, position) : { bytesRead: 0 };
      if (signal?.aborted) throw abortError(signal);
      if (bytesRead === 0) return null;
      position += bytesRead;
      await feed.write(buffer.subarray(0, bytesRead));
      await afterChunk();
    }
  } finally {
    await file.close().catch(() => undefined);
  }
}

/**
 * readCapture() for uncompressed bytes already in memory (a text dump's
 * model, a test fixture), synchronously: same detection, diagnostics and
 * result; `name` only labels the error thrown for a non-capture. Compressed
 * bytes are refused: readCaptureData inflates them as a bounded stream.
 */
export function readCaptureBytes(bytes: Uint8Array, sink: CaptureSink, name?: string): ReadCaptureResult {
  try {
    return new CaptureFeed(sink, bytes.length).readAll(bytes);
  } catch (e) {
    if (name && e instanceof Error) e.message = `${name}: ${e.message}`;
    throw e;
  }
}

export interface ReadCaptureDataOptions extends Pick<ReadCaptureOptions, 'signal' | 'backpressure'> {
  /** Labels the error thrown for a non-capture. */
  name?: string;
}

/**
 * readCapture() for bytes in memory of any kind, gzip included (an editor
 * sends bytes for URIs the server cannot open): fed in chunks, inflated by
 * zlib's thread pool in one bounded pass, with `backpressure` asked between
 * chunks so a server can answer messages while a big buffer is analysed.
 */
export async function readCaptureData(bytes: Uint8Array, sink: CaptureSink, opts: ReadCaptureDataOptions = {}): Promise<ReadCaptureResult> {
  const { signal } = opts;
  const feed = new CaptureFeed(sink, bytes.length);
  try {
    for (let o = 0; o < bytes.length; o += DEFAULT_CHUNK) {
      if (signal?.aborted) throw abortError(signal);
      await feed.write(bytes.subarray(o, o + DEFAULT_CHUNK));
      const wait = opts.backpressure?.();
      if (wait) await wait;
    }
    if (signal?.aborted) throw abortError(signal);
    const result = await feed.finish();
    if (signal?.aborted) throw abortError(signal);
    return result;
  } catch (e) {
    if (signal?.aborted) throw abortError(signal);
    if (opts.name && e instanceof Error) e.message = `${opts.name}: ${e.message}`;
    throw e;
  } finally {
    feed.dispose();
  }
}
