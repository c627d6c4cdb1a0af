import * as zlib from 'zlib';

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/**
 * Compressed bytes handed to zlib per write. zlib drops the output of a write
 * that ends in a data error, so small slices bound what a corrupt stream
 * loses to one slice's worth.
 */
const SLICE = 64 * 1024;

export interface GunzipOutcome {
  /** The zlib error that ended decompression, if any. */
  error: Error | null;
  /** The stream ended before the gzip trailer (a cut-off download or copy). */
  truncated: boolean;
  /** A prefix of the compressed input this long is known to decode without error. */
  goodInput: number;
}

/**
 * Streaming gunzip with backpressure that keeps every byte zlib could decode:
 * output is delivered to `onData` synchronously from zlib's events; an
 * exception thrown by `onData` is re-thrown from the next write()/end().
 */
export class GunzipPump {
  private readonly z: zlib.Gunzip;
  private failure: Error | null = null;
  private consumerError: { error: unknown } | null = null;
  private goodInput = 0;
  decodedBytes = 0;

  constructor(private readonly onData: (chunk: Uint8Array) => void) {
    this.z = zlib.createGunzip({ chunkSize: 64 * 1024 });
    this.z.on('data', (d: Buffer) => {
      if (this.consumerError) return;
      this.decodedBytes += d.length;
      try {
        this.onData(d);
      } catch (error) {
        this.consumerError = { error };
      }
    });
    this.z.on('error', (e: Error) => {
      this.failure ??= e;
    });
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.rethrow();
    // After a zlib error the rest of the file is still read (for its hash) but not decoded.
    if (this.failure) return;
    // zlib keeps what it is given until it gets to it, and readers refill
    // their buffers: it gets copies (cheap next to inflating them).
    let ok = true;
    for (let i = 0; i < chunk.length; i += SLICE) {
      const slice = chunk.slice(i, i + SLICE);
      ok = this.z.write(slice, (err) => {
        if (!err && !this.failure) this.goodInput += slice.length;
      });
    }
    if (!ok) await this.settle('drain');
    this.rethrow();
  }

  async end(): Promise<GunzipOutcome> {
    this.rethrow();
    if (!this.failure) {
      // zlib processes the final write with Z_FINISH and discards its output if
      // the stream turns out truncated; a sync flush first gets all of it out.
      await new Promise<void>((resolve) => {
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
    if (!this.failure && !this.z.destroyed) {
      const ended = this.settle('end');
      this.z.end();
      await ended;
    }
    this.rethrow();
    const error = this.failure;
    const code = error ? (error as NodeJS.ErrnoException).code : undefined;
    return { error, truncated: code === 'Z_BUF_ERROR', goodInput: this.goodInput };
  }

  destroy(): void {
    if (!this.z.destroyed) this.z.destroy();
  }

  private rethrow(): void {
    if (this.consumerError) throw this.consumerError.error;
  }

  private settle(event: 'drain' | 'end'): Promise<void> {
    const z = this.z;
    if (this.failure || z.destroyed) return Promise.resolve();
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

export interface GunzipResult extends GunzipOutcome {
  data: Uint8Array;
}

function zlibCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/**
 * In-memory gunzip that, like GunzipPump, keeps whatever decodes before a
 * truncation or corruption. A corrupt stream is salvaged by binary search for
 * the longest input prefix that still decodes: inflate is sequential, so once
 * a prefix fails every longer one fails at the same byte. That costs
 * O(n log n), and only on the error path.
 */
export function gunzipBytes(bytes: Uint8Array, knownGood = 0): GunzipResult {
  try {
    return { data: zlib.gunzipSync(bytes), error: null, truncated: false, goodInput: bytes.length };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    const partial = (n: number): Buffer | null => {
      try {
        return zlib.gunzipSync(bytes.subarray(0, n), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      } catch {
        return null;
      }
    };
    if (zlibCode(e) === 'Z_BUF_ERROR') {
      const data = partial(bytes.length);
      if (data) return { data, error, truncated: true, goodInput: bytes.length };
    }
    let best: Buffer | null = knownGood > 0 ? partial(knownGood) : null;
    let lo = best ? knownGood : 0; // longest prefix known to decode (0 decodes to nothing)
    let hi = bytes.length; // shortest prefix known to fail
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const data = partial(mid);
      if (data) {
        lo = mid;
        best = data;
      } else {
        hi = mid;
      }
    }
    return { data: best ?? new Uint8Array(0), error, truncated: false, goodInput: lo };
  }
}
