/**
 * Runs the built webview bundle (dist/webview.js) in headless Chromium inside
 * test/webview/harness.html, with a fake extension on the Node side: it
 * answers the webview's byte requests from the fixture files (with the
 * reader the language server answers handshake/readBytes with,
 * server/src/capture/sourceBytes.ts) and records what the webview posts. Pages are served from https://webview.test/ by request
 * routing, so the page's CSP is the extension's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ConnectionReport, PacketReport } from '../../shared/analysis';
import type { FromWebview, ToWebview } from '../../shared/webviewProtocol';
import { SourceBytes } from '../../server/src/capture/sourceBytes';
import { MAX_READ_BYTES } from '../../shared/protocol';
import type { Theme } from './webviewThemes';
export { ROOT } from './paths';
import { ROOT } from './paths';

export const CHROMIUM = '/usr/bin/chromium';
export const RESULTS = join(ROOT, 'test-results');

/** Why the browser tests can't run here, or null. */
export function skipReason(): string | null {
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
  if (!existsSync(join(ROOT, 'dist', 'webview.js'))) return 'dist/webview.js missing: run npm run build first';
  return null;
}

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

const TYPES: Record<string, string> = { js: 'text/javascript', css: 'text/css', ttf: 'font/ttf', html: 'text/html', map: 'application/json' };

export interface View {
  page: Page;
  posted: FromWebview[];
  send(msg: ToWebview): Promise<void>;
  /** Waits until the webview has posted a message of this type (counting from `since`). */
  waitFor(type: FromWebview['type'], since?: number): Promise<FromWebview>;
  errors: string[];
}

export interface ViewOptions {
  theme: Theme;
  /** Capture files by side, for byte requests. */
  files: { client: string; relay?: string };
  viewport?: { width: number; height: number };
}

export async function openView(browser: Browser, opts: ViewOptions): Promise<View> {
  const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  const nonce = 'h4rn3ssN0nc3' + Math.random().toString(36).slice(2);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.route('https://webview.test/**', async (route) => {
    const url = new URL(route.request().url());
    let file: string;
    if (url.pathname === '/harness.html') {
      const html = readFileSync(join(ROOT, 'test', 'webview', 'harness.html'), 'utf8').replace(/NONCE/g, nonce);
      return route.fulfill({ status: 200, contentType: 'text/html', body: html });
    }
    if (url.pathname === '/harness/vscode.js') file = join(ROOT, 'test', 'webview', 'vscode.js');
    else if (url.pathname.startsWith('/dist/')) file = join(ROOT, url.pathname);
    else return route.fulfill({ status: 404 });
    if (!existsSync(file)) return route.fulfill({ status: 404 });
    return route.fulfill({ status: 200, contentType: TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream', body: readFileSync(file) });
  });
  const posted: FromWebview[] = [];
  // JSON text crosses into the page far faster than Playwright's object serialisation
  // (a 100,000-packet report); NaN and Infinity, which reports hold, are tagged and revived,
  // and so are byte arrays, which the extension posts as Uint8Array (structured clone).
  const send = async (msg: ToWebview) => {
    const json = JSON.stringify(msg, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? { $num: String(v) } : v instanceof Uint8Array ? { $bytes: Buffer.from(v).toString('base64') } : v));
    await page.evaluate((text) => {
      const m = JSON.parse(text, (_k, v) => {
        if (!v || typeof v !== 'object' || Object.keys(v).length !== 1) return v;
        if (typeof v.$num === 'string') return Number(v.$num);
        if (typeof v.$bytes === 'string') return Uint8Array.from(atob(v.$bytes), (c) => c.charCodeAt(0));
        return v;
      });
      window.postMessage(m, '*');
    }, json);
  };
  const waiters: Array<{ type: string; since: number; resolve: (m: FromWebview) => void }> = [];
  await page.exposeFunction('__hiPost', async (msg: FromWebview) => {
    posted.push(msg);
    for (const w of [...waiters]) {
      if (w.type === msg.type && posted.length > w.since) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(msg);
      }
    }
    if (msg.type === 'readBytes') {
      const path = opts.files[msg.side];
      let bytes = null;
      if (path) {
        const source = new SourceBytes({ path }, { inflate: true });
        try {
          bytes = source.read(msg.ranges, MAX_READ_BYTES);
        } finally {
          source.close();
        }
      }
      await send({ type: 'bytes', requestId: msg.requestId, bytes });
    }
  });
  await page.addInitScript((theme) => {
    (window as unknown as { __hiTheme: unknown }).__hiTheme = theme;
  }, { kind: opts.theme.kind, vars: opts.theme.vars });
  await page.goto('https://webview.test/harness.html');
  const waitFor = (type: FromWebview['type'], since = 0) => {
    const hit = posted.slice(since).find((m) => m.type === type);
    if (hit) return Promise.resolve(hit);
    return new Promise<FromWebview>((resolve) => waiters.push({ type, since, resolve }));
  };
  await waitFor('ready');
  return { page, posted, send, waitFor, errors };
}

/** Structured clone keeps NaN and Infinity; JSON would not. Reports go to the page as they are. */
export function clone<T>(x: T): T {
  return structuredClone(x);
}

/**
 * A long connection made by repeating a real one's packets, each copy later
 * and further along the stream. `dense`: evenly 100 µs apart instead of
 * keeping the original's pauses (many arrows on every screen).
 */
export function bigConnection(c: ConnectionReport, total: number, dense = false): ConnectionReport {
  const base = c.packets ?? [];
  const span = base[base.length - 1].time - base[0].time + 0.05;
  const packets: PacketReport[] = [];
  for (let i = 0; i < total; i++) {
    const p = base[i % base.length];
    const k = Math.floor(i / base.length);
    // Every segment its own stream offset, so none is grouped as a retransmission: 100,000 arrows.
    const time = dense ? base[0].time + i * 1e-4 : p.time + k * span + (i % base.length) * 1e-4;
    packets.push({ ...p, index: i, time, seq: p.length > 0 ? p.seq + i * 2048 : p.seq, notes: [] });
  }
  return { ...c, packets, tcp: { ...c.tcp, packets: total }, endTime: packets[packets.length - 1].time };
}
