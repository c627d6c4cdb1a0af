// The second-thread reader hands over from this thread at any offset: the
// bytes come out in order and the hash covers the whole file, wherever the
// hand-over falls (start, middle, a slot boundary, the end, past the end).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SharedFileReader } from '../../server/src/capture/sharedFileReader';

const dir = mkdtempSync(join(tmpdir(), 'hi-sfr-'));

async function readAll(path: string, slots: number, slotSize: number, readHere?: number): Promise<{ bytes: Buffer; sha256: string; here: number }> {
  const reader = new SharedFileReader(path, slots, slotSize, readHere === undefined ? {} : { readHere });
  const parts: Buffer[] = [];
  let here = 0;
  try {
    for (;;) {
      const chunk = await reader.next();
      if (chunk === null) break;
      if (chunk.slot < 0) here++;
      // Copied: the slot is refilled after release.
      parts.push(Buffer.from(chunk.bytes));
      reader.release(chunk.slot);
    }
    return { bytes: Buffer.concat(parts), sha256: await reader.digest(), here };
  } finally {
    reader.cancel();
  }
}

test('chunks in file order and the whole file hashed, wherever this thread hands over', async () => {
  await fc.assert(fc.asyncProperty(
    fc.integer({ min: 0, max: 6000 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 16, max: 1024 }), fc.integer({ min: 0, max: 12 }),
    async (size, slots, slotSize, readHere) => {
      const file = join(dir, `f-${size}-${slots}-${slotSize}-${readHere}`);
      const content = randomBytes(size);
      writeFileSync(file, content);
      const r = await readAll(file, slots, slotSize, readHere);
      assert.ok(r.bytes.equals(content));
      assert.equal(r.sha256, createHash('sha256').update(content).digest('hex'));
      assert.equal(r.here, Math.min(readHere, Math.ceil(size / slotSize)));
    },
  ), { numRuns: 60 });
});

test('by default this thread reads until the worker is up, and the result is the same', async () => {
  const content = randomBytes(3 << 20);
  const file = join(dir, 'default');
  writeFileSync(file, content);
  const r = await readAll(file, 3, 64 << 10);
  assert.ok(r.bytes.equals(content));
  assert.equal(r.sha256, createHash('sha256').update(content).digest('hex'));
});
