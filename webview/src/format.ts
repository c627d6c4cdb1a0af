/** Numbers and times as the webview shows them. */
import type { TimeDisplay } from '../../shared/webviewProtocol';

export function hex(n: number, width = 4): string {
  return `0x${n.toString(16).padStart(width, '0')}`;
}

export function hexBytes(b: Uint8Array, max = 48): string {
  const out: string[] = [];
  for (let i = 0; i < Math.min(b.length, max); i++) out.push(b[i].toString(16).padStart(2, '0'));
  return out.join(' ') + (b.length > max ? ` … (${b.length} bytes)` : '');
}

/** Seconds with a unit that keeps 3–4 significant digits readable. */
export function duration(s: number): string {
  const a = Math.abs(s);
  if (!Number.isFinite(s)) return '—';
  if (a < 1e-3) return `${(s * 1e6).toFixed(a < 1e-5 ? 1 : 0)} µs`;
  if (a < 1) return `${(s * 1e3).toFixed(a < 0.01 ? 2 : 1)} ms`;
  if (a < 120) return `${s.toFixed(a < 10 ? 3 : 1)} s`;
  return `${(s / 60).toFixed(1)} min`;
}

export function clockTime(t: number): string {
  if (!Number.isFinite(t)) return '—';
  // Text dumps with time of day only give seconds since midnight.
  const d = new Date(t * 1000);
  const us = Math.round((t - Math.floor(t)) * 1e6).toString().padStart(6, '0');
  return `${d.toISOString().slice(11, 19)}.${us}`;
}

export function timeLabel(t: number, t0: number, prev: number | null, mode: TimeDisplay): string {
  if (!Number.isFinite(t)) return '—';
  if (mode === 'absolute') return clockTime(t);
  if (mode === 'delta') return prev === null || !Number.isFinite(prev) ? '+0.000000' : `+${(t - prev).toFixed(6)}`;
  const d = t - t0;
  return `${d < 0 ? '−' : '+'}${Math.abs(d).toFixed(6)}`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
