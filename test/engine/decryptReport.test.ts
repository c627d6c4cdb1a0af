import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Inspector } from '../../server/src/app/inspector';
import { fileRef } from '../../server/src/app/captureRef';
import { ROOT } from '../helpers/paths';
import { escapeHtml, escapeMarkdown } from '../../server/src/report/escape';

// Reports say which connections were decrypted and with which kind of key (issue #14), never the key.
const DIR = join(ROOT, 'test', 'fixtures', 'decrypt');

test('HTML and Markdown reports name the kind of key and the Finished checks; a capture without keys says nothing of it', async () => {
  const inspector = new Inspector();
  const cases: Array<[string, string[] | undefined, string | null]> = [
    ['tls13-alert.pcap', [join(DIR, 'tls13-alert.keylog')], 'decrypted with a key log: server Finished checks, client Finished checks'],
    ['dsb.pcapng', undefined, "decrypted with the capture's Decryption Secrets Block: server Finished checks, client Finished checks"],
    ['sidecar.pcap', undefined, 'decrypted with a sidecar key log next to the capture: server Finished checks, client Finished checks'],
    ['tls13-alert.pcap', undefined, null],
  ];
  for (const [file, keyLogFiles, words] of cases) {
    const ref = fileRef(join(DIR, file));
    const report = await inspector.compare(ref, null, { keyLogFiles });
    const html = (await inspector.report(report, { client: ref, relay: null }, 'html')).text;
    const md = (await inspector.report(report, { client: ref, relay: null }, 'md')).text;
    if (words === null) {
      assert.doesNotMatch(html, /decrypted with/);
      assert.doesNotMatch(md, /decrypted with/);
      continue;
    }
    assert.ok(html.includes(escapeHtml(words)), `${file}: html`);
    assert.ok(md.includes(`TLS in the client capture was ${escapeMarkdown(words)}\\.`), `${file}: md`);
    // The decrypted Certificate's hex view is the ciphertext: the report says so.
    assert.match(html, /the bytes below are its ciphertext as stored in the capture/);
  }
  inspector.dispose();
});
