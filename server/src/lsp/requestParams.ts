/**
 * Shape checks for the params of the custom requests (shared/protocol.ts).
 * JSON-RPC delivers whatever a client sent; a wrong type deep in a handler
 * surfaced as "x.startsWith is not a function" (or worse, a wrong answer).
 * Each request's params are checked before any work and a mistake answered
 * with InvalidParams naming the field, e.g. `relay.uri: expected a string, got 42`.
 */
import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';

/** A check returns null when the value fits, else what was expected. */
type Check = (v: unknown, at: string) => string | null;

function got(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v;
}

const fail = (at: string, expected: string, v: unknown) => `${at}: expected ${expected}, got ${got(v)}`;

export const str: Check = (v, at) => (typeof v === 'string' ? null : fail(at, 'a string', v));
export const bool: Check = (v, at) => (typeof v === 'boolean' ? null : fail(at, 'true or false', v));
export const count: Check = (v, at) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? null : fail(at, 'a whole number ≥ 0', v));
const base64: Check = (v, at) => (typeof v === 'string' && /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/.test(v) ? null : fail(at, 'base64 text', v));
const token: Check = (v, at) => (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? null : fail(at, 'a string or a number', v));

export function optional(c: Check): Check & { optional: true } {
  return Object.assign((v: unknown, at: string) => (v === undefined ? null : c(v, at)), { optional: true as const });
}

export function nullable(c: Check): Check {
  return (v, at) => (v === null || v === undefined ? null : c(v, at));
}

export function object(fields: Record<string, Check>): Check {
  return (v, at) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(at || 'params', 'an object', v);
    const o = v as Record<string, unknown>;
    for (const [k, c] of Object.entries(fields)) {
      const p = at ? `${at}.${k}` : k;
      if (o[k] === undefined && !('optional' in c)) return `${p}: missing`;
      const problem = c(o[k], p);
      if (problem) return problem;
    }
    return null;
  };
}

export function arrayOf(c: Check, max: number): Check {
  return (v, at) => {
    if (!Array.isArray(v)) return fail(at, 'an array', v);
    if (v.length > max) return `${at}: at most ${max} entries, got ${v.length}`;
    for (let i = 0; i < v.length; i++) {
      const problem = c(v[i], `${at}[${i}]`);
      if (problem) return problem;
    }
    return null;
  };
}

/** One of several shapes told apart by their `kind`. */
export function byKind(shapes: Record<string, Check>): Check {
  return (v, at) => {
    const kind = typeof v === 'object' && v !== null ? (v as { kind?: unknown }).kind : undefined;
    const shape = typeof kind === 'string' && Object.hasOwn(shapes, kind) ? shapes[kind] : undefined;
    if (!shape) return typeof v === 'object' && v !== null && !Array.isArray(v) ? fail(`${at}.kind`, Object.keys(shapes).map((k) => JSON.stringify(k)).join(' or '), kind) : fail(at, 'an object', v);
    return shape(v, at);
  };
}

const source = { uri: str, bytes: optional(base64) };
const progress = { workDoneToken: optional(token) };
const captureSource = object(source);
const compare = { ...progress, client: captureSource, relay: optional(nullable(captureSource)), baseline: optional(str) };

/** The params of each custom request, by method. */
export const PARAMS: Record<string, Check> = {
  'handshake/analyzeFile': object({ ...source, ...progress, streamId: optional(str), packets: optional(bool) }),
  'handshake/captureRows': object({ ...source, ...progress, streamId: str }),
  'handshake/compare': object({ ...compare, packets: optional(bool), connections: optional(bool) }),
  'handshake/connectionTimeline': object({ ...source, connection: count }),
  'handshake/connectionDetail': object({ ...source, connection: count, timeline: optional(bool) }),
  // `format` is a string here; which formats exist is said by the request itself.
  'handshake/exportReport': object({ ...compare, format: str, target: optional(str) }),
  'handshake/dissection': object({ ...source, ...progress }),
  'handshake/annotate': object({
    uri: str, text: str, author: optional(str),
    target: byKind({
      packet: object({ kind: str, packet: count }),
      field: object({ kind: str, connection: count, field: str }),
      connection: object({ kind: str, connection: count }),
    }),
  }),
  'handshake/notes': object({ uri: str }),
  'handshake/readBytes': object({
    ...source,
    ranges: arrayOf(byKind({
      offset: object({ kind: str, offset: count, length: count }),
      text: object({ kind: str, line: count, column: count, endLine: count, endColumn: count }),
    }), 100_000),
  }),
};

/** The InvalidParams error for a request's params, or null when they fit. */
export function paramsError(method: string, params: unknown): ResponseError<void> | null {
  const check = PARAMS[method];
  const problem = check ? check(params, '') : null;
  return problem ? new ResponseError(ErrorCodes.InvalidParams, `invalid params of ${method}: ${problem}`) : null;
}
