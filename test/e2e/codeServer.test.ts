// End-to-end: the packaged .vsix in a real VS Code (code-server, VS Code's web
// build, driven by Chromium through playwright-core), since @vscode/test-electron
// cannot download VS Code here. Runs when CI=true or HI_E2E=1; screenshots go
// to test-results/ (dark and light theme). Needs code-server from
// scripts/install-code-server.sh (run here when missing) and /usr/bin/chromium.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { serverHelloCipherPosition } from '../helpers/dumpPositions';
import { ROOT } from '../helpers/paths';
import { TEXT_DUMP_PATTERNS } from '../../shared/captureFiles';

/** A file name the pattern matches, unique per pattern (the fuzzy quick open must find exactly it). */
const patternFile = (pattern: string) => pattern.replace('*', `dump${TEXT_DUMP_PATTERNS.indexOf(pattern as (typeof TEXT_DUMP_PATTERNS)[number])}`);

const RESULTS = join(ROOT, 'test-results');
const SAMPLE = join(ROOT, 'samples', 'tor-kz-drop');
const CHROMIUM = process.env.HI_CHROMIUM ?? '/usr/bin/chromium';
const CODE_SERVER_VERSION = process.env.HI_CODE_SERVER_VERSION ?? '4.139.1';
const CODE_SERVER = process.env.HI_CODE_SERVER ?? join(process.env.HI_CACHE ?? join(homedir(), '.cache', 'handshake-inspector'), `code-server-${CODE_SERVER_VERSION}`, 'code-server');
const ENABLED = process.env.CI === 'true' || process.env.HI_E2E === '1';
const UPDATE_MEDIA = process.env.HI_E2E_MEDIA === '1';
const EXPECTED_CIPHER_NAME = 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'; // tshark: tls.handshake.ciphersuite == 0xc030 in relay.pcap

/** UDP-only captures for the capture editor: each has one connection of its transport (tshark: one QUIC/DTLS stream). */
const UDP_CAPTURES = [
  { dir: 'quic', file: 'ngtcp2-v1.pcap', transport: 'quic', other: 'dtls', hello: 'ClientHello' },
  { dir: 'dtls', file: 'openssl-dtls12.pcap', transport: 'dtls', other: 'quic', hello: 'ClientHello' },
] as const;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

describe('extension in code-server (real VS Code web build)', { skip: ENABLED ? false : 'set HI_E2E=1 (or CI=true) to run the code-server end-to-end test' }, () => {
  let work: string;
  let userData: string;
  let server: ChildProcess | null = null;
  let browser: Browser | null = null;
  let page: Page;
  let port: number;
  const log: string[] = [];

  function setTheme(theme: string): void {
    const settings = {
      'workbench.colorTheme': theme,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'security.workspace.trust.enabled': false,
      'extensions.ignoreRecommendations': true,
      'telemetry.telemetryLevel': 'off',
      'window.commandCenter': false,
      'chat.disableAIFeatures': true,
      'editor.hover.delay': 100,
      'editor.minimap.enabled': false,
      // The empty chat side bar would take a quarter of the width the views are tested (and screenshotted) in.
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
    };
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  }

  async function shot(name: string): Promise<void> {
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, `${name}.png`) });
  }

  /**
   * The README's and the walkthrough's pictures are these tests' views:
   * with HI_E2E_MEDIA=1 they are written into media/ (then looked at and
   * committed), the whole window or one element of it.
   */
  async function mediaShot(path: string, of?: Locator): Promise<void> {
    if (!UPDATE_MEDIA) return;
    const file = join(ROOT, 'media', path);
    if (of) await of.screenshot({ path: file });
    else await page.screenshot({ path: file });
  }

  /** The editor area (no side bar or status bar): what a walkthrough step's picture shows. */
  const editorArea = () => page.locator('.editor-group-container').first();

  /**
   * Opens a quick input with `key` and types `text` into it. Under load the
   * widget can close again between appearing and being typed into (focus
   * taken by an editor that finished opening): then it is opened again, a
   * condition each time, never a fixed wait.
   */
  async function typeInQuickInput(key: string, text: string): Promise<void> {
    const input = page.locator('.quick-input-widget input');
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press(key);
      try {
        await input.waitFor({ state: 'visible', timeout: 10000 });
        await input.fill(text, { timeout: 5000 });
        return;
      } catch (e) {
        if (attempt >= 4) throw e;
        await page.keyboard.press('Escape');
      }
    }
  }

  async function runCommand(title: string): Promise<void> {
    await typeInQuickInput('F1', `>${title}`);
    // Pick the row whose label is exactly the title: fuzzy matching ranks look-alikes first at times.
    const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
    await row.waitFor();
    await row.click();
  }

  async function quickOpen(file: string): Promise<void> {
    // Click the row named exactly `file`: "relay.pcap" also fuzzy-matches "relay.tcpdump-X.txt", which may rank first.
    const exact = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
    for (let attempt = 1; ; attempt++) {
      await typeInQuickInput('Control+P', file);
      await row.waitFor({ timeout: 30000 });
      await row.click();
      // A click that lands while the list is redrawn (recently opened entries arrive late) is lost: the picker stays open.
      if (await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 }).then(() => true, () => false)) return;
      if (attempt >= 3) throw new Error(`quick open did not open ${file}`);
      await page.keyboard.press('Escape');
    }
  }

  /**
   * Opens the command palette on `query` until a row matching `expected`
   * is listed: right after start-up the extension's contributions arrive
   * late, and the palette does not refresh its list by itself. Each try waits
   * on the row (a condition), never a fixed time. Returns the rows' text.
   */
  async function paletteLists(query: string, expected: RegExp, ms = 90000): Promise<string> {
    const input = page.locator('.quick-input-widget input');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    const deadline = Date.now() + ms;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`the palette never listed ${expected} for ${query}: ${(await rows.allTextContents()).join(' | ')}`);
      // A palette closing as this looks (Escape a moment ago) still counts as visible: open it again when it does not show.
      if (!(await input.isVisible())) await page.keyboard.press('F1');
      if (!(await input.waitFor({ state: 'visible', timeout: 2000 }).then(() => true, () => false))) continue;
      const filled = await input.fill('', { timeout: 2000 }).then(() => input.fill(query, { timeout: 2000 })).then(() => true, () => false);
      if (!filled) continue;
      const found = await rows.filter({ hasText: expected }).first().waitFor({ timeout: 2000 }).then(() => true, () => false);
      if (found) return (await rows.allTextContents()).join('\n');
    }
  }

  async function closePalette(): Promise<void> {
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** Two animation frames of the page (or a webview in it) have run: what was last changed is painted. */
  async function painted(frame?: FrameLocator): Promise<void> {
    const twoFrames = () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    if (frame) await frame.locator('body').evaluate(twoFrames);
    else await page.evaluate(twoFrames);
  }

  /** Polls a condition outside the page (a file on disk, a process's output) until it holds. */
  async function until(what: string, holds: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!holds()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * What a user sees of the timeline in a webview: the page scrolled to it
   * (a short, narrow editor scrolls as a whole), the arrows inside both the
   * ladder's visible part and the webview, the ladder's height, the header's
   * and the ladder's status line. Measured again each frame until `enough`
   * holds or 30 s pass (under load the connection's packet timeline can
   * arrive after its first arrows are drawn); screenshotted as `name` so,
   * then scrolled back to its top.
   */
  async function timelineOnScreen(frame: FrameLocator, name: string, enough: (arrows: string[]) => boolean): Promise<{ arrows: string[]; ladder: number; header: number; status: string }> {
    const deadline = Date.now() + 30000;
    for (;;) {
      const seen = await frame.locator('body').evaluate(() => {
        document.querySelector('.ladder-pane')!.scrollIntoView({ block: 'start' });
        const scroller = document.querySelector('.ladder-scroll')!;
        const box = scroller.getBoundingClientRect();
        const arrows = Array.from(document.querySelectorAll('g.arrow')).filter((g) => {
          const r = g.querySelector('.shaft')!.getBoundingClientRect();
          return r.top >= Math.max(0, box.top) && r.bottom <= Math.min(window.innerHeight, box.bottom);
        }).map((g) => g.getAttribute('aria-label') ?? '');
        const status = document.querySelector('.ladder-status')?.textContent ?? '';
        return { arrows, ladder: scroller.clientHeight, header: document.querySelector('.app-header')!.getBoundingClientRect().height, status };
      });
      await painted(frame);
      if (!enough(seen.arrows) && Date.now() < deadline) continue;
      await shot(name);
      await frame.locator('body').evaluate(() => window.scrollTo(0, 0));
      return seen;
    }
  }

  /** At least `n` arrows on screen, one of them matching `must`. */
  const showsArrows = (n: number, must: RegExp) => (arrows: string[]) => arrows.length >= n && arrows.some((a) => must.test(a));

  function webview(): FrameLocator {
    // Hidden editors keep their webviews in the page: the visible one is the active editor's.
    return page.locator('iframe.webview.ready:visible').last().contentFrame().frameLocator('#active-frame');
  }

  before(async () => {
    if (!existsSync(CODE_SERVER)) {
      const r = spawnSync('bash', [join(ROOT, 'scripts', 'install-code-server.sh')], { stdio: 'inherit', timeout: 15 * 60 * 1000 });
      assert.equal(r.status, 0, 'scripts/install-code-server.sh failed');
    }
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
    assert.ok(existsSync(join(ROOT, 'dist', 'extension.js')) && existsSync(join(ROOT, 'dist', 'webview.js')), 'run npm run build first');
    work = mkdtempSync(join(tmpdir(), 'hi-e2e-'));
    userData = join(work, 'user-data');
    const extensions = join(work, 'extensions');
    const workspace = join(work, 'workspace');
    cpSync(SAMPLE, workspace, { recursive: true });
    // One real dump per text dump pattern, named by it: each must open as Capture Text.
    mkdirSync(join(workspace, 'patterns'));
    writeFileSync(join(workspace, 'patterns', 'not-a-dump.json'), '{}\n');
    // A plaintext SMTP session (no TLS at all) and a real capture with bytes missing (decoding warnings).
    cpSync(join(ROOT, 'test', 'fixtures', 'no-tls', 'smtp-plain.pcap'), join(workspace, 'smtp-plain.pcap'));
    cpSync(join(ROOT, 'test', 'fixtures', 'text', 'v6.pcap'), join(workspace, 'v6.pcap'));
    // Handshakes over UDP (issue #12): real ngtcp2 QUIC and OpenSSL DTLS 1.2 sessions.
    for (const f of UDP_CAPTURES) cpSync(join(ROOT, 'test', 'fixtures', f.dir, f.file), join(workspace, f.file));
    for (const p of TEXT_DUMP_PATTERNS) cpSync(join(ROOT, 'test', 'fixtures', 'text', 'hs.X-t.txt'), join(workspace, 'patterns', patternFile(p)));
    const vsix = join(work, 'handshake-inspector.vsix');
    const pack = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(pack.status, 0, `vsce package failed:\n${pack.stdout}\n${pack.stderr}`);
    setTheme('Default Dark Modern');
    const config = join(work, 'config.yaml');
    writeFileSync(config, 'auth: none\ncert: false\n');
    const common = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];
    const inst = spawnSync(CODE_SERVER, [...common, '--install-extension', vsix], { encoding: 'utf8', timeout: 120000 });
    assert.equal(inst.status, 0, `install failed:\n${inst.stdout}\n${inst.stderr}`);
    port = await freePort();
    server = spawn(CODE_SERVER, [...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', workspace], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout?.on('data', (d) => log.push(String(d)));
    server.stderr?.on('data', (d) => log.push(String(d)));
    await until('code-server to listen', () => log.join('').includes('HTTP server listening'), 60000).catch((e: Error) => {
      throw new Error(`${e.message}:\n${log.join('')}`);
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
    // Ready when the extension host has started and the extension's commands are contributed (not after a fixed time:
    // with the unit tests on both cores beside it, 3 s was too short once).
    await paletteLists('>Handshake Inspector', /Compare Client and Relay Captures/);
    await closePalette();
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) server.kill();
    if (work && !process.env.HI_E2E_KEEP) rmSync(work, { recursive: true, force: true });
  });

  it('contributes its commands', async () => {
    const labels = await paletteLists('>Handshake Inspector', /Open the Sample Captures/);
    await closePalette();
    assert.match(labels, /Compare Client and Relay Captures/);
    assert.match(labels, /Export Annotated Report/);
    assert.match(labels, /Open the Sample Captures/);
  });

  it('lists the Get Started walkthrough on the Welcome page, its steps\' pictures drawn', async () => {
    await runCommand('View: Close All Editors');
    // What "workbench.startupEditor": "welcomePage" (VS Code's default) opens at start-up; the tests start with "none".
    await runCommand('Help: Welcome');
    const welcome = page.locator('.gettingStartedContainer');
    const entry = welcome.locator('.getting-started-category', { hasText: 'Get Started with Handshake Inspector' }).first();
    try {
      await entry.waitFor({ timeout: 60000 });
    } catch (e) {
      await shot('e2e-welcome-failed');
      throw e;
    }
    await shot('e2e-welcome-dark');
    await entry.click();
    const media = welcome.locator('.getting-started-media img').first();
    await media.waitFor({ timeout: 30000 });
    await page.waitForFunction((img) => img !== null && (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0, await media.elementHandle(), { timeout: 30000 }).catch(async (e: Error) => {
      await shot('e2e-walkthrough-failed');
      throw e;
    });
    const size = await media.evaluate((img: HTMLImageElement) => ({ w: img.naturalWidth, h: img.naturalHeight, shown: img.getBoundingClientRect().width }));
    assert.ok(size.w >= 400 && size.h >= 200 && size.shown >= 200, JSON.stringify(size));
    await painted();
    await shot('e2e-walkthrough-dark');
    await runCommand('View: Close All Editors');
  });

  it('opens a file named by every text dump pattern as Capture Text, not Plain Text', async () => {
    const mode = page.locator('#status\\.editor\\.mode');
    const seen: string[] = [];
    for (const p of TEXT_DUMP_PATTERNS) {
      const name = patternFile(p);
      await quickOpen('not-a-dump.json');
      await mode.filter({ hasText: /^JSON$/ }).waitFor({ timeout: 30000 });
      await quickOpen(name);
      await page.locator('.tab.active', { hasText: name }).waitFor();
      // The status bar's language item follows the active editor; the JSON file opened before this one means
      // whatever it shows once it stops saying JSON is this file's language.
      await mode.filter({ hasNotText: /^JSON$/ }).waitFor({ timeout: 30000 });
      await mode.filter({ hasText: /^(Capture Text|Plain Text)$/ }).waitFor({ timeout: 30000 }).catch(() => undefined);
      const language = (await mode.innerText()).trim();
      seen.push(`${name}: ${language}`);
      if (language !== 'Capture Text') await shot(`e2e-pattern-${name}-failed`);
    }
    assert.deepEqual(seen, TEXT_DUMP_PATTERNS.map((p) => `${patternFile(p)}: Capture Text`));
    await runCommand('View: Close All Editors');
  });

  it('says what a capture without TLS holds, and puts a capture\'s decoding problems in the Problems panel', async () => {
    await quickOpen('smtp-plain.pcap');
    const banner = webview().locator('.banner');
    try {
      await banner.locator('.banner-title', { hasText: 'No TLS connection in this capture.' }).waitFor({ timeout: 60000 });
    } catch (e) {
      await shot('e2e-no-tls-failed');
      throw e;
    }
    const said = await banner.innerText();
    assert.match(said, /pcap: 13 packets, 13 TCP; 0 connection\(s\) shown/);
    assert.match(said, /starttls-smtp: the client never asked for TLS \(no STARTTLS in the smtp dialogue\)/);
    await shot('e2e-no-tls-dark');
    await quickOpen('v6.pcap');
    await webview().locator('.list-row .badge.diag-warning').waitFor({ timeout: 60000 });
    await runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const panel = page.locator('.markers-panel');
    await panel.locator('.monaco-list-row', { hasText: 'record lost in a gap' }).first().waitFor({ timeout: 30000 });
    const listed = await panel.innerText();
    assert.match(listed, /v6\.pcap/);
    assert.match(listed, /client: record lost in a gap \(5 of 308 byte\(s\) seen\) \(connection #0, packet #4, file offset 448\)/);
    await shot('e2e-problems-dark');
    await runCommand('View: Hide Panel');
    await runCommand('View: Close All Editors');
  });

  async function pickFromQuickInput(file: string): Promise<void> {
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 30000 });
    await input.fill(file);
    const exact = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
    await row.waitFor({ timeout: 30000 });
    await row.click();
  }

  it('compares the bundled client and relay captures: verdict banner, dropped ServerHello, its suspect fields highlighted', async () => {
    await runCommand('Handshake Inspector: Compare Client and Relay Captures');
    await pickFromQuickInput('client.pcap');
    await pickFromQuickInput('relay.pcap');
    const frame = webview();
    const banner = frame.locator('.banner[aria-label="Verdict"]').first();
    try {
      await banner.getByText(/dropped on the path/i).first().waitFor({ timeout: 90000 });
    } catch (e) {
      await shot('e2e-compare-failed');
      throw e;
    }
    const verdict = await banner.innerText();
    assert.match(verdict, /relay → client/);
    assert.match(verdict, /ServerHello/);
    // The blocked ServerHello is drawn ending at the censor, and its fields carry suspect marks.
    const dropped = frame.locator('[aria-label*="dropped on the path"]').first();
    await dropped.waitFor({ timeout: 30000 });
    assert.match((await dropped.getAttribute('aria-label')) ?? '', /ServerHello/);
    const suspectRows = frame.locator('.tree-row.suspect');
    await suspectRows.first().waitFor({ timeout: 30000 });
    assert.ok((await suspectRows.count()) > 0);
    await painted(frame);
    await shot('e2e-compare-dark');
  });

  /** Every file under `dir`, relative to it (none when it does not exist). */
  function filesUnder(dir: string): string[] {
    return existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort() : [];
  }

  async function openSampleComparison(): Promise<FrameLocator> {
    await runCommand('View: Close All Editors');
    await runCommand('Handshake Inspector: Open the Sample Captures (Tor bridge blocked on its ServerHello)');
    await page.locator('.tab.active', { hasText: 'client.pcap ⇄ relay.pcap' }).waitFor({ timeout: 90000 });
    return webview();
  }

  it('opens the sample captures as their comparison, with the verdict the two captures give', async () => {
    const frame = await openSampleComparison();
    const banner = frame.locator('.banner[aria-label="Verdict"]').first();
    try {
      await banner.getByText(/dropped on the path/i).first().waitFor({ timeout: 90000 });
    } catch (e) {
      await shot('e2e-sample-failed');
      throw e;
    }
    const verdict = await banner.innerText();
    // samples/tor-kz-drop/README.md: the ServerHello is dropped relay → client; one capture alone says "undetermined".
    assert.match(verdict, /dropped on the path/i);
    assert.match(verdict, /relay → client/);
    assert.match(verdict, /ServerHello/);
    assert.doesNotMatch(verdict, /undetermined/i);
    // One view, the whole editor area: not two captures side by side.
    assert.equal(await page.locator('.editor-group-container').count(), 1);
    await painted(frame);
    await shot('e2e-sample-compare-dark');
  });

  it('keeps notes on the installed sample in the extension\'s storage, not its install folder, and says where', async () => {
    // The installed extension's own folder (code-server keeps its bookkeeping files beside it).
    const installed = () => filesUnder(join(work, 'extensions')).filter((f) => f.split('/')[0].includes('handshake-inspector'));
    const installedBefore = installed();
    const frame = await openSampleComparison();
    const add = frame.locator('button, [role=button]', { hasText: 'Add note (A)' }).first();
    await add.waitFor({ timeout: 90000 });
    await add.click();
    // Each run has its own user data: the note is new there (it also shows in the README's screenshots).
    const note = 'The ServerHello never reached the client: first thing the censor could match after the ClientHello.';
    await frame.locator('.note-dialog textarea').fill(note);
    await frame.locator('.note-dialog vscode-button', { hasText: 'Save note' }).click();
    await frame.getByText(/Notes \(1\)/).first().waitFor({ timeout: 30000 });
    const where = frame.locator('.notes-where', { hasText: 'relay.pcap.annotations.json' }).first();
    await where.waitFor({ state: 'attached', timeout: 30000 });
    assert.match((await where.textContent()) ?? '', /^Notes saved to the extension's storage \(.*globalStorage.*samples\/tor-kz-drop\/relay\.pcap\.annotations\.json\)$/);
    const sidecars = filesUnder(join(userData, 'User', 'globalStorage')).filter((f) => f.endsWith('.annotations.json'));
    assert.deepEqual(sidecars.map((f) => f.split('/').slice(1).join('/')), ['samples/tor-kz-drop/relay.pcap.annotations.json']);
    assert.ok(readFileSync(join(userData, 'User', 'globalStorage', sidecars[0]), 'utf8').includes(note));
    // Nothing written where the extension is installed.
    assert.ok(installedBefore.some((f) => f.endsWith('samples/tor-kz-drop/relay.pcap')), installedBefore.join(' '));
    assert.deepEqual(installed().filter((f) => !installedBefore.includes(f)), []);
    // Reopened, the sample shows the note again.
    const again = await openSampleComparison();
    await again.getByText(/Notes \(1\)/).first().waitFor({ timeout: 90000 });
    await again.getByText(note).first().waitFor({ state: 'attached', timeout: 30000 });
    // The notes tab shows the note and where it is kept.
    await again.locator('vscode-tab-header', { hasText: /Notes \(1\)/ }).first().click();
    const said = again.locator('.notes-where', { hasText: "the extension's storage" }).first();
    await said.waitFor({ timeout: 30000 });
    await painted(again);
    await shot('e2e-sample-note-dark');
    // The notes tab is short in the default layout: its own picture shows the line is readable.
    await again.locator('.tab-body', { has: said }).screenshot({ path: join(RESULTS, 'e2e-sample-notes-tab-dark.png') });
  });

  it('exports the compare view\'s report with a note added there: the same HTML as the CLI\'s report', async () => {
    const workspace = join(work, 'workspace');
    const exported = join(workspace, 'client.report.html');
    rmSync(exported, { force: true });
    await runCommand('Handshake Inspector: Compare Client and Relay Captures');
    await pickFromQuickInput('client.pcap');
    await pickFromQuickInput('relay.pcap');
    const frame = webview();
    // The relay's ServerHello is shown (the client never got it): a note on its selected field is a note on the relay capture.
    const add = frame.locator('button, [role=button]', { hasText: 'Add note (A)' }).first();
    await add.waitFor({ timeout: 90000 });
    await add.click();
    const note = `relay note from the compare view ${Date.now()}`;
    await frame.locator('.note-dialog textarea').fill(note);
    await frame.locator('.note-dialog vscode-button', { hasText: 'Save note' }).click();
    await frame.getByText(/Notes \(1\)/).first().waitFor({ timeout: 30000 });
    assert.ok(existsSync(join(workspace, 'relay.pcap.annotations.json')), 'the note went to the relay capture\'s sidecar');
    await frame.locator('#export-report').first().click();
    // Format, then the save dialog (code-server's own: a path in the quick input, the default name filled in).
    await pickFromQuickInput('HTML');
    await page.waitForFunction(() => /client\.report\.html$/.test(document.querySelector<HTMLInputElement>('.quick-input-widget input')?.value ?? ''), undefined, { timeout: 30000 });
    await page.keyboard.press('Enter');
    await until('the report to be written', () => existsSync(exported), 60000).catch(async (e: Error) => {
      await shot('e2e-export-failed');
      throw e;
    });
    await page.locator('.notifications-toasts', { hasText: 'Report written to' }).first().waitFor({ timeout: 30000 }).catch(() => undefined);
    await shot('e2e-export-written');
    if (UPDATE_MEDIA) {
      // The report as a browser shows it, in both colour schemes (it follows prefers-color-scheme).
      for (const colorScheme of ['dark', 'light'] as const) {
        const report = await browser!.newPage({ viewport: { width: 1100, height: 800 }, colorScheme });
        await report.goto(`file://${exported}`);
        await report.screenshot({ path: join(ROOT, 'media', 'walkthrough', `report-${colorScheme}.png`) });
        await report.close();
      }
    }
    const fromEditor = readFileSync(exported, 'utf8');
    assert.ok(fromEditor.includes(note), 'the note added in the compare view is in the exported report');
    const cliOut = join(work, 'cli-report.html');
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'handshake-inspector.js'), 'report', join(workspace, 'client.pcap'), join(workspace, 'relay.pcap'), '--format', 'html', '--out', cliOut], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const withoutTime = (t: string) => t.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>');
    assert.equal(withoutTime(fromEditor), withoutTime(readFileSync(cliOut, 'utf8')));
  });

  // Each themed test sets its own theme, so none depends on another having run first.
  async function useTheme(theme: { name: string; label: string }): Promise<void> {
    const selector = theme.name === 'dark' ? '.monaco-workbench.vs-dark' : '.monaco-workbench.vs:not(.vs-dark)';
    if (await page.locator(selector).count()) return;
    // Keys typed while a webview has focus stay in its iframe: give the workbench focus first.
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'relay.tcpdump-X.txt' }).first().click();
    await page.locator('.tab.active', { hasText: 'relay.tcpdump-X.txt' }).waitFor();
    await runCommand('Preferences: Color Theme');
    // The picker shows "Light Modern" for the theme whose setting value is "Default Light Modern".
    await page.locator('.quick-input-widget input').fill(theme.label);
    if (process.env.HI_E2E_DEBUG) await shot('debug-theme-picker');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: theme.label }).first();
    await row.waitFor();
    await row.click();
    if (process.env.HI_E2E_DEBUG) await shot('debug-theme');
    await page.locator(selector).waitFor({ timeout: 15000 });
  }

  for (const theme of [{ name: 'dark', label: 'Dark Modern' }, { name: 'light', label: 'Light Modern' }]) {
    it(`hovers a ServerHello byte in the sample dump (${theme.name} theme)`, async () => {
      await useTheme(theme);
      const text = readFileSync(join(SAMPLE, 'relay.tcpdump-X.txt'), 'utf8');
      const pos = serverHelloCipherPosition(text);
      await quickOpen('relay.tcpdump-X.txt');
      await page.locator('.tab.active', { hasText: 'relay.tcpdump-X.txt' }).waitFor();
      // Language mode shown in the status bar: the file was recognised as a capture text.
      await page.locator('.statusbar-item', { hasText: 'Capture Text' }).first().waitFor({ timeout: 30000 });
      await page.keyboard.press('Control+G');
      // Go to Line counts columns visually (a tab is 4 wide here); land on the byte's second hex digit.
      const prefix = text.split('\n')[pos.line].slice(0, pos.column + 1);
      let visual = 0;
      for (const ch of prefix) visual = ch === '\t' ? visual + 4 - (visual % 4) : visual + 1;
      await page.locator('.quick-input-widget input').fill(`:${pos.line + 1}:${visual + 1}`);
      await page.keyboard.press('Enter');
      // The hover answers at once; until the dump's first analysis ends it names only the packet's own
      // header fields, so it is shown again until it names the TLS field (each try waits on that text).
      const named = page.locator('.monaco-hover', { hasText: 'cipher suite' }).first();
      let content = '';
      for (let i = 0; i < 30 && !content.includes('cipher suite'); i++) {
        await runCommand('Show or Focus Hover');
        await named.waitFor({ timeout: 3000 }).catch(() => undefined);
        if (process.env.HI_E2E_DEBUG) await shot(`debug-hover-${theme.name}-${i}`);
        content = (await page.locator('.monaco-hover').allTextContents()).join('\n');
        if (!content.includes('cipher suite')) await page.keyboard.press('Escape');
      }
      await shot(`e2e-${theme.name}-dump-hover`);
      // The README shows the dark theme; the walkthrough has a picture per theme.
      if (theme.name === 'dark') await mediaShot('screenshots/dump-hover-dark.png');
      await mediaShot(`walkthrough/dump-hover-${theme.name}.png`, editorArea());
      assert.match(content, /TLS › Handshake › ServerHello › cipher suite/);
      assert.ok(content.includes(EXPECTED_CIPHER_NAME), content);
      await page.keyboard.press('Escape');
    });

    it(`shows the handshake of the sample pcap in the capture editor (${theme.name} theme)`, async () => {
      await useTheme(theme);
      await quickOpen('relay.pcap');
      const frame = webview();
      // The editor's layout belongs to the webview; what matters here is that the decoded handshake is shown.
      const body = frame.locator('body');
      try {
        await body.getByText('ServerHello').first().waitFor({ timeout: 60000 });
        await body.getByText(EXPECTED_CIPHER_NAME).first().waitFor({ timeout: 30000 });
      } catch (e) {
        await shot(`e2e-${theme.name}-pcap-editor-failed`);
        throw e;
      }
      const text = await body.innerText();
      assert.match(text, /ServerHello/);
      // The list holds rows only; the shown connection came in full from the server, its packet timeline with it or after.
      await frame.locator('.list-row.selected').first().waitFor({ timeout: 30000 });
      await frame.locator('g.arrow').first().waitFor({ timeout: 60000 });
      await frame.locator('[role=treeitem]', { hasText: 'ClientHello' }).first().waitFor({ timeout: 30000 });
      await painted(frame);
      await shot(`e2e-${theme.name}-pcap-editor`);
      if (theme.name === 'dark') await mediaShot('screenshots/editor-dark.png');
    });

    it(`shows QUIC and DTLS captures and the compare view 400 px wide with the panel open (${theme.name} theme)`, async () => {
      await useTheme(theme);
      const full = page.viewportSize()!;
      await runCommand('View: Close All Editors');
      // The editor 400 px wide: the window narrowed by what the side bar and activity bar take.
      await quickOpen(UDP_CAPTURES[0].file);
      const wide = await editorArea().evaluate((e) => e.getBoundingClientRect().width);
      await page.setViewportSize({ width: Math.round(full.width - (wide - 400)), height: full.height });
      // The default panel layout: the panel open below the editor (here the Problems view).
      await runCommand('View: Focus Problems (Errors, Warnings, Infos)');
      await page.locator('.markers-panel').waitFor();
      try {
        await page.waitForFunction(() => Math.abs((document.querySelector('.editor-group-container')?.getBoundingClientRect().width ?? 0) - 400) <= 2, undefined, { timeout: 30000 });
        for (const c of UDP_CAPTURES) {
          await quickOpen(c.file);
          await page.locator('.tab.active', { hasText: c.file }).waitFor();
          const frame = webview();
          const rows = frame.locator('.list-row');
          try {
            await rows.first().waitFor({ timeout: 60000 });
            // Decoding ends: the summary counts the connections and no progress row is left saying "Decoding…".
            await frame.locator('.header-summary', { hasText: /\d+ TLS connections?/ }).waitFor({ timeout: 60000 });
            await frame.getByText(/Decoding…/).first().waitFor({ state: 'hidden', timeout: 60000 });
          } catch (e) {
            await shot(`e2e-${theme.name}-udp-${c.transport}-failed`);
            throw e;
          }
          const n = await rows.count();
          assert.ok(n >= 1, `${c.file}: ${n} rows`);
          // The timeline is drawn for the shown connection and keeps a usable height: the page scrolls to it, where it
          // had shrunk to one "≈120 µs later" pause row under a ~130 px header (issue #15).
          await frame.locator('g.arrow').first().waitFor({ timeout: 60000 });
          await painted(frame);
          const enough = showsArrows(4, /^ClientHello/);
          const seen = await timelineOnScreen(frame, `e2e-${theme.name}-udp-${c.transport}-400px-timeline`, enough);
          assert.ok(seen.header <= 60, `${c.file}: header ${seen.header} px high`);
          assert.ok(seen.ladder >= 240, `${c.file}: timeline ${seen.ladder} px high`);
          assert.ok(enough(seen.arrows), `${c.file}: on screen ${seen.arrows.join(' | ')} (${seen.status})`);
          // The header's actions are icons at this width, each still a named button.
          for (const name of ['Compare With…', 'Text Dissection', 'Export Report']) {
            assert.ok(await frame.locator('.app-header').getByRole('button', { name, exact: true }).isVisible(), `${c.file}: ${name}`);
          }
          assert.match(await rows.first().innerText(), new RegExp(`${c.transport.toUpperCase()}/UDP`));
          // The filter goes by transport: this capture's word keeps every row, the other transport's keeps none.
          const filter = frame.locator('vscode-textfield.list-filter input');
          await filter.fill(c.other);
          await frame.getByText('No connection matches the filter.').waitFor({ timeout: 10000 });
          assert.equal(await rows.count(), 0);
          await filter.fill(c.transport);
          await rows.first().waitFor({ timeout: 10000 });
          assert.equal(await rows.count(), n);
          await rows.first().click();
          // The handshake tree and the hex of the selected message.
          const hello = frame.locator('[role=treeitem]', { hasText: c.hello }).first();
          await hello.waitFor({ timeout: 30000 });
          await hello.click();
          const byte = frame.locator('.hex-bytes .b').first();
          await byte.waitFor({ timeout: 30000 });
          assert.match(await byte.innerText(), /^[0-9a-f]{2}$/);
          // A byte's hover names what it belongs to.
          await byte.hover();
          const tip = frame.locator('#hover-tip');
          await tip.waitFor({ state: 'visible', timeout: 10000 });
          assert.ok((await tip.innerText()).trim().length > 0);
          await shot(`e2e-${theme.name}-udp-${c.transport}-400px-hover`);
          await frame.locator('.header-summary').hover();
          await tip.waitFor({ state: 'hidden', timeout: 10000 });
          // Nothing is wider than the editor: the view is laid out for 400 px, not cut off.
          const overflow = await frame.locator('body').evaluate((b) => b.scrollWidth - b.clientWidth);
          assert.ok(overflow <= 1, `${c.file}: ${overflow} px wider than the editor`);
          await painted(frame);
          await shot(`e2e-${theme.name}-udp-${c.transport}-400px`);
          await filter.fill('');
        }
        // The compare view in the same layout: its ladder keeps its height too, the drop and the arrows around it on screen.
        const cmp = await openSampleComparison();
        await cmp.locator('.banner[aria-label="Verdict"]').getByText(/dropped on the path/i).first().waitFor({ timeout: 90000 });
        await cmp.locator('g.arrow').first().waitFor({ timeout: 30000 });
        await painted(cmp);
        await shot(`e2e-${theme.name}-compare-400px`);
        const enough = showsArrows(3, /dropped on the path/);
        const seen = await timelineOnScreen(cmp, `e2e-${theme.name}-compare-400px-timeline`, enough);
        assert.ok(seen.header <= 60, `compare: header ${seen.header} px high`);
        assert.ok(seen.ladder >= 200, `compare: ladder ${seen.ladder} px high`);
        assert.ok(enough(seen.arrows), `compare: on screen ${seen.arrows.join(' | ')} (${seen.status})`);
        const overflow = await cmp.locator('body').evaluate((b) => b.scrollWidth - b.clientWidth);
        assert.ok(overflow <= 1, `compare: ${overflow} px wider than the editor`);
      } finally {
        await page.setViewportSize(full);
        await runCommand('View: Hide Panel');
      }
    });

    it(`shows the compare view in the ${theme.name} theme`, async () => {
      await useTheme(theme);
      // Opened here (alone in the editor area), not left over from the tests above: they close editors.
      const frame = await openSampleComparison();
      const banner = frame.locator('.banner[aria-label="Verdict"]').first();
      await banner.getByText(/dropped on the path/i).first().waitFor({ timeout: 90000 });
      await painted(frame);
      await shot(`e2e-compare-${theme.name}`);
      if (theme.name === 'dark') await mediaShot('screenshots/compare-dark.png');
      await mediaShot(`walkthrough/compare-${theme.name}.png`, editorArea());
      await mediaShot(`walkthrough/ladder-${theme.name}.png`, webview().locator('.ladder').first());
    });
  }
});
