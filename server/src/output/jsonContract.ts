/**
 * Writes reports as the `--json` contract (shared/analysis.ts, shared/compare.ts).
 *
 * In memory a connection keeps what the editor needs: every hello both at the
 * connection and inside its message, and the byte ranges of every field. On
 * many short connections that made ~31 kB of JSON each, half of it hellos
 * written twice and most of the rest ranges, so the JSON writes each decoded
 * body once (the message names the connection field that holds it,
 * `decodedAt`) and byte ranges only when asked (`--ranges`): the hellos'
 * per-field `ranges` and the `range` of messages, certificates, alerts and
 * suspects.
 */
import type { ConnectionReport, MessageReport } from '../../../shared/analysis';
import type { CompareReport } from '../../../shared/compare';

export interface JsonOptions {
  /** Keep the byte ranges: hellos' per-field `ranges`, and `range` of messages, certificates, alerts, suspects. */
  ranges: boolean;
}

type Body = NonNullable<MessageReport['decodedAt']>;
type Hello = NonNullable<ConnectionReport['clientHello'] | ConnectionReport['serverHello'] | ConnectionReport['serverKeyExchange']>;

/**
 * A copy without `ranges`, which is never read: a hello's ranges are resolved
 * lazily, on first read, and a spread or JSON.stringify (even with a replacer
 * that drops the key) would read it.
 */
function rangeless<T extends Hello>(h: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(h)) if (k !== 'ranges') out[k] = h[k as keyof T];
  return out as T;
}

/** The connection-level field that holds this message's decoded body, if it is the same object. */
function heldAt(m: MessageReport, c: ConnectionReport): Body | null {
  if (m.clientHello && m.clientHello === c.clientHello) return 'clientHello';
  if (m.serverHello && m.serverHello === c.serverHello) return 'serverHello';
  if (m.serverKeyExchange && m.serverKeyExchange === c.serverKeyExchange) return 'serverKeyExchange';
  const certs = m.certificates;
  if (certs && certs.length > 0 && certs.length === c.certificates.length && certs.every((x, i) => x === c.certificates[i])) return 'certificates';
  return null;
}

function messageAsWritten(m: MessageReport, c: ConnectionReport, opts: JsonOptions): MessageReport {
  const at = heldAt(m, c);
  if (at === null && (opts.ranges || !(m.clientHello || m.serverHello || m.serverKeyExchange))) return m;
  // Same key order as before: the body's key replaced by the pointer to it.
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(m) as Array<keyof MessageReport>) {
    if (k === at) out.decodedAt = at;
    else if (!opts.ranges && (k === 'clientHello' || k === 'serverHello' || k === 'serverKeyExchange')) out[k] = rangeless(m[k]!);
    else out[k] = m[k];
  }
  return out as unknown as MessageReport;
}

/** The connection as `--json` writes it: each decoded body once, ranges only when asked. */
export function connectionAsWritten(c: ConnectionReport, opts: JsonOptions): ConnectionReport {
  const out: ConnectionReport = { ...c, messages: c.messages.map((m) => messageAsWritten(m, c, opts)) };
  if (!opts.ranges) {
    if (c.clientHello) out.clientHello = rangeless(c.clientHello);
    if (c.serverHello) out.serverHello = rangeless(c.serverHello);
    if (c.serverKeyExchange) out.serverKeyExchange = rangeless(c.serverKeyExchange);
  }
  return out;
}

/** Infinity (an unknown clock uncertainty) and NaN (a time one end never saw) are not JSON: write null. */
export function finiteReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

// `range` is a plain array (unlike the lazy `ranges`), so dropping it here costs nothing.
function finiteNoRange(key: string, value: unknown): unknown {
  if (key === 'range') return undefined;
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

function replacer(opts: JsonOptions): (key: string, value: unknown) => unknown {
  return opts.ranges ? finiteReplacer : finiteNoRange;
}

/** One connection of `analyze --json`, on one line. */
export function connectionJson(c: ConnectionReport, opts: JsonOptions): string {
  return JSON.stringify(connectionAsWritten(c, opts), replacer(opts));
}

/** `compare --json`. */
export function compareJson(r: CompareReport, opts: JsonOptions): string {
  const side = (a: CompareReport['client']) => ({ ...a, connections: a.connections.map((c) => connectionAsWritten(c, opts)) });
  const out: CompareReport = { ...r, client: side(r.client), relay: r.relay && side(r.relay) };
  return `${JSON.stringify(out, replacer(opts), 2)}\n`;
}
