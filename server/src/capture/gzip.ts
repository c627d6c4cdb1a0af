import * as zlib from 'zlib';

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/**
 * What one decompression may produce. Real captures compress 1.5–20×; deflate
 * tops out near 1,032×, which is what a bomb of zeros reaches. Floods of
 * repeated blocks made with `gzip -1` reach ~230×, so the ratio bound sits
 * above that and still stops the 1,000× bombs after RATIO_GRACE bytes.
 */
export interface InflateLimits {
  /** Decoded bytes at most (where they are held whole); decoding stops there. */
  maxOutput: number;
  /** Decoded bytes per compressed byte at most, checked once RATIO_GRACE bytes are out. */
  maxRatio: number;
}

export const MAX_INFLATE_RATIO = 250;
/** Below this much output a high ratio costs nothing worth stopping for. */
export const RATIO_GRACE = 64 * 1024 * 1024;
/** Streaming analysis holds nothing it decodes: only the ratio bounds it. */
export const STREAM_LIMITS: InflateLimits = { maxOutput: Number.MAX_SAFE_INTEGER, maxRatio: MAX_INFLATE_RATIO };

/** Output allowed from `compressed` bytes in one call (in-memory inflation, which holds it all). */
export function inflateBound(compressed: number, maxOutput: number, maxRatio = MAX_INFLATE_RATIO): number {
  return Math.min(maxOutput, Math.max(RATIO_GRACE, compressed * maxRatio));
}

/** Why decoding stopped before the data ended. */
export type InflateStop = { kind: 'ratio'; compressed: number } | { kind: 'output'; compressed: number };

export interface GunzipOutcome {
  /** The zlib error that ended decompression, if any. */
  error: Error | null;
  /** The stream ended before the gzip trailer (a cut-off download or copy). */
  truncated: boolean;
  /** The data itself decoded, but the CRC-32 or length in the trailer does not match it. */
  checksum: boolean;
  /** Decoding was stopped by a limit, not by the data. */
  stopped: InflateStop | null;
}

/**
 * Compressed bytes per zlib write. zlib drops the output of a write call that
 * ends in a data error; small slices bound what a corrupt stream loses, large
 * ones keep big files cheap (a write is a thread-pool round trip).
 */
function sliceFor(sizeHint: number): number {
  return Math.max(256, Math.min(64 * 1024, 2 ** Math.floor(Math.log2(Math.max(1, sizeHint / 64)))));
}

/** The gzip trailer (CRC-32, length): held back so a bad checksum fails a write with no data in it. */
const TRAILER = 8;

/**
 * Streaming gunzip in one pass, with backpressure and limits, that keeps
 * every byte zlib could decode: output is delivered to `onData`
 * synchronously from zlib's events (inflation itself runs on zlib's thread
 * pool, off the caller's thread); an exception thrown by `onData` is
 * re-thrown from the next write()/end().
 *
 * Nothing is ever inflated twice. The input is cut into slices at fixed
 * offsets (the same losses whatever the caller's read size), and the last
 * 8 bytes are written only after everything before them has been flushed
 * out: a bad checksum or a cut-off stream then loses nothing, and a
 * corruption inside the data loses at most one slice's output.
 */
export class GunzipPump {
  private readonly z: zlib.Gunzip;
  private readonly slice: number;
  private failure: Error | null = null;
  private consumerError: { error: unknown } | null = null;
  private stop: InflateStop | null = null;
  /** Input not yet given to zlib: an unfinished slice, and always the last TRAILER bytes seen. */
  private pending = new Uint8Array(0);
  decodedBytes = 0;

  constructor(
    private readonly onData: (chunk: Uint8Array) => void,
    private readonly limits: InflateLimits = STREAM_LIMITS,
    /** Size of the compressed input if known: small inputs get small slices. */
    sizeHint = Number.MAX_SAFE_INTEGER,
  ) {
    this.slice = sliceFor(sizeHint);
    this.z = zlib.createGunzip({ chunkSize: 64 * 1024 });
    this.z.on('data', (d: Buffer) => this.data(d));
    this.z.on('error', (e: Error) => {
      this.failure ??= e;
    });
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  /** Decoding ended (an error or a limit): later input is not decoded. */
  private get over(): boolean {
    return this.failure !== null || this.stop !== null;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.rethrow();
    // After an error or a limit the rest of the file is still read (for its hash) but not decoded.
    if (this.over) return;
    const all = this.pending.length === 0 ? chunk : concat2(this.pending, chunk);
    const usable = all.length - TRAILER;
    let o = 0;
    let ok = true;
    for (; usable - o >= this.slice; o += this.slice) {
      // zlib keeps what it is given until it gets to it, and readers refill
      // their buffers: it gets copies (cheap next to inflating them).
      ok = this.z.write(all.slice(o, o + this.slice));
    }
    this.pending = all.slice(o);
    if (!ok) await this.settle('drain');
    this.rethrow();
  }

  async end(): Promise<GunzipOutcome> {
    this.rethrow();
    if (!this.over) {
      const rest = this.pending;
      this.pending = new Uint8Array(0);
      const body = rest.subarray(0, Math.max(0, rest.length - TRAILER));
      if (body.length > 0) this.z.write(body.slice());
      // zlib processes the final write with Z_FINISH and discards its output
      // if the stream turns out truncated or its checksum wrong; sync flushes
      // first get everything out, before and after the trailer's bytes.
      await this.flush();
      if (!this.over && rest.length > body.length) {
        this.z.write(rest.slice(body.length));
        await this.flush();
      }
    }
    if (!this.over && !this.z.destroyed) {
      const ended = this.settle('end');
      this.z.end();
      await ended;
    }
    this.rethrow();
    const error = this.stop ? null : this.failure;
    const code = error ? (error as NodeJS.ErrnoException).code : undefined;
    return {
      error,
      truncated: code === 'Z_BUF_ERROR',
      checksum: code === 'Z_DATA_ERROR' && /incorrect (data|length) check/.test(error!.message),
      stopped: this.stop,
    };
  }

  destroy(): void {
    if (!this.z.destroyed) this.z.destroy();
  }

  private data(d: Buffer): void {
    if (this.consumerError || this.stop) return;
    const { maxOutput, maxRatio } = this.limits;
    // Compressed bytes zlib has consumed so far, this chunk's included.
    const compressed = this.z.bytesWritten;
    let out: Uint8Array = d;
    if (this.decodedBytes + d.length > maxOutput) {
      out = d.subarray(0, maxOutput - this.decodedBytes);
      this.stop = { kind: 'output', compressed };
    } else if (this.decodedBytes + d.length >= RATIO_GRACE && this.decodedBytes + d.length > maxRatio * compressed) {
      this.stop = { kind: 'ratio', compressed };
    }
    if (this.stop) {
      // No more inflating: zlib's queued input is dropped with it.
      this.z.destroy();
      if (out.length === 0) return;
    }
    this.decodedBytes += out.length;
    try {
      this.onData(out);
    } catch (error) {
      this.consumerError = { error };
    }
  }

  private flush(): Promise<void> {
    if (this.over || this.z.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        this.z.off('error', done);
        this.z.off('close', done);
        resolve();
      };
      this.z.on('error', done);
      this.z.on('close', done);
      this.z.flush(zlib.constants.Z_SYNC_FLUSH, done);
    });
  }

  private rethrow(): void {
    if (this.consumerError) throw this.consumerError.error;
  }

  private settle(event: 'drain' | 'end'): Promise<void> {
    const z = this.z;
    if (this.over || z.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        z.off(event, done);
        z.off('error', done);
        z.off('close', done);
        resolve();
      };
      z.on(event, done);
      z.on('error', done);
      z.on('close', done);
    });
  }
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
