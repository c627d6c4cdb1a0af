// The capture file patterns are declared once (shared/captureFiles.ts);
// package.json cannot import them, so its copies are held to them here.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  BINARY_CAPTURE_PATTERNS, CAPTURE_DIALOG_EXTENSIONS, CAPTURE_FILE_NAME, CAPTURE_GLOB, captureBaseName, isCaptureFileName, TEXT_DUMP_PATTERNS,
} from '../../shared/captureFiles';
import { CAPTURE_TEXT_LANGUAGE } from '../../shared/protocol';
import { ROOT } from '../helpers/paths';


interface Manifest {
  contributes: {
    languages: Array<{ id: string; filenamePatterns?: string[] }>;
    customEditors: Array<{ viewType: string; selector: Array<{ filenamePattern: string }> }>;
    menus: Record<string, Array<{ command: string; when?: string }>>;
    walkthroughs: Array<{ id: string; featuredFor?: string[] }>;
  };
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

describe('capture file patterns: package.json agrees with shared/captureFiles.ts', () => {
  it('the capture editor opens the binary capture patterns', () => {
    const editor = manifest.contributes.customEditors.find((e) => e.viewType === 'handshakeInspector.capture');
    assert.deepEqual(editor?.selector.map((s) => s.filenamePattern), [...BINARY_CAPTURE_PATTERNS]);
  });

  it('the capture-text language claims the text dump patterns', () => {
    const lang = manifest.contributes.languages.find((l) => l.id === CAPTURE_TEXT_LANGUAGE);
    assert.deepEqual(lang?.filenamePatterns, [...TEXT_DUMP_PATTERNS]);
  });

  it('the walkthrough is featured on the Welcome page of a workspace holding any capture', () => {
    // VS Code ranks a walkthrough whose featuredFor globs match a workspace file first among the Welcome page's few.
    const walkthrough = manifest.contributes.walkthroughs.find((w) => w.id === 'handshakeInspector.getStarted');
    assert.deepEqual(walkthrough?.featuredFor, [...BINARY_CAPTURE_PATTERNS, ...TEXT_DUMP_PATTERNS].map((p) => `**/${p}`));
  });

  it('every menu that goes by file name uses the shared regular expression', () => {
    const clauses = Object.values(manifest.contributes.menus).flat().map((m) => m.when ?? '').filter((w) => w.includes('resourceFilename =~'));
    assert.ok(clauses.length >= 3, `${clauses.length} clauses`);
    for (const w of clauses) {
      const m = /resourceFilename =~ \/(.*)\/([a-z]*)/.exec(w);
      assert.ok(m, w);
      assert.equal(m[1], CAPTURE_FILE_NAME.source, w);
      assert.equal(m[2], CAPTURE_FILE_NAME.flags);
    }
  });
});

describe('capture file names', () => {
  it('match the real captures of the samples and not their notes', () => {
    const dir = join(ROOT, 'samples', 'tor-kz-drop');
    const names = readdirSync(dir);
    assert.deepEqual(names.filter(isCaptureFileName).sort(), ['client.pcap', 'client.tcpdump-X.txt', 'relay.pcap', 'relay.tcpdump-X.txt']);
    assert.equal(isCaptureFileName('CLIENT.PCAPNG.GZ'), true);
    assert.equal(isCaptureFileName('notes.txt'), false);
    assert.equal(isCaptureFileName('archive.gz'), false);
  });

  it('glob and dialog filter cover every pattern', () => {
    for (const p of [...BINARY_CAPTURE_PATTERNS, ...TEXT_DUMP_PATTERNS]) {
      assert.ok(CAPTURE_GLOB.includes(p), p);
      assert.ok(CAPTURE_DIALOG_EXTENSIONS.includes(p.slice(p.lastIndexOf('.') + 1)), p);
    }
  });

  it('name what is made from a capture without its capture ending', () => {
    assert.equal(captureBaseName('/w/client.pcapng.gz'), '/w/client');
    assert.equal(captureBaseName('/w/client.pcap'), '/w/client');
    assert.equal(captureBaseName('/w/relay.tcpdump-X.txt'), '/w/relay.tcpdump-X');
    assert.equal(captureBaseName('/w/capture.hexdump'), '/w/capture');
  });
});

describe('README text dump patterns', () => {
  it('every pattern the README names for text dumps is one the capture-text language claims, and the other way round', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const bullet = /^- \*\*Text dumps\*\* \(([\s\S]*?)\)/m.exec(readme);
    assert.ok(bullet, 'the README has its Text dumps bullet');
    const named = [...bullet[1].matchAll(/`(\*[^`]+)`/g)].map((m) => m[1]);
    assert.deepEqual([...named].sort(), [...TEXT_DUMP_PATTERNS].sort());
  });
});

describe('capture-text language configuration', () => {
  it('declares no bracket pairs: a dump\'s ASCII column holds stray [ ] ( ) that bracket-pair colouring would mark unmatched', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { languages: Array<{ id: string; configuration?: string }> } };
    const lang = manifest.contributes.languages.find((l) => l.id === CAPTURE_TEXT_LANGUAGE);
    assert.ok(lang?.configuration, 'the capture-text language has a configuration file');
    const config = JSON.parse(readFileSync(join(ROOT, lang.configuration), 'utf8')) as { brackets?: unknown[]; colorizedBracketPairs?: unknown[] };
    // Both empty, not absent: the colourised pairs default to the brackets.
    assert.deepEqual(config.brackets, []);
    assert.deepEqual(config.colorizedBracketPairs, []);
  });
});
