/**
 * Where a run's keys come from on disk: the key log files it is given and a
 * sidecar next to the capture (`CAPTURE.keys` or `CAPTURE.keylog`, the way
 * annotations sit in `CAPTURE.annotations.json`). Read in chunks, so a large
 * key log costs what its entries cost, not its size.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { KeySource, KeyStore } from './keyStore';

const CHUNK = 64 * 1024;

export const SIDECAR_SUFFIXES = ['.keys', '.keylog'] as const;

/** The sidecar key log of a capture file, if there is one (the first of SIDECAR_SUFFIXES that is a regular file). */
export function findSidecar(capturePath: string): string | null {
  for (const s of SIDECAR_SUFFIXES) {
    try {
      if (statSync(capturePath + s).isFile()) return capturePath + s;
    } catch {
      // absent
    }
  }
  return null;
}

/** Reads key log files into the store, each a source of this kind. */
export function loadKeyLogFiles(store: KeyStore, paths: readonly string[], kind: KeySource['kind']): void {
  for (const name of paths) loadKeyLogFile(store, { kind, name });
}

/** Reads one key log file into the store; a file that cannot be read is a diagnostic, not a failed run. */
export function loadKeyLogFile(store: KeyStore, source: KeySource): void {
  let fd: number;
  try {
    const st = statSync(source.name);
    if (!st.isFile()) {
      store.note('error', 'keylog.unreadable', source, null, 'not a regular file: no keys read from it');
      return;
    }
    fd = openSync(source.name, 'r');
  } catch (e) {
    store.note('error', 'keylog.unreadable', source, null, `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}): no keys read from it`);
    return;
  }
  const parser = store.parser(source);
  const buf = new Uint8Array(CHUNK);
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n <= 0) break;
      parser.push(buf.subarray(0, n));
    }
    parser.end();
  } catch (e) {
    store.note(
      'error',
      'keylog.unreadable',
      source,
      parser.lines,
      `reading stopped (${(e as NodeJS.ErrnoException).code ?? 'error'}): keys up to here are used`,
    );
  } finally {
    buf.fill(0);
    closeSync(fd);
  }
}
