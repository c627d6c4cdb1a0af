/**
 * A strict JSON parser that remembers where every value and property name
 * is, so a problem in a user's file (suspect rules, annotation sidecars) can
 * be reported at the offending value (line and column, 0-based, in UTF-16
 * code units as LSP counts them).
 *
 * Written here rather than taken from a package: the only position-keeping
 * JSON parser in node_modules (jsonc-parser) arrives as a dev-only dependency
 * of the packaging tool, which a shipped build must not rely on.
 */

export type JsonNode =
  | { type: 'object'; start: number; end: number; properties: JsonProperty[] }
  | { type: 'array'; start: number; end: number; items: JsonNode[] }
  | { type: 'string'; start: number; end: number; value: string }
  | { type: 'number'; start: number; end: number; value: number }
  | { type: 'boolean'; start: number; end: number; value: boolean }
  | { type: 'null'; start: number; end: number; value: null };

export interface JsonProperty {
  key: string;
  keyStart: number;
  keyEnd: number;
  value: JsonNode;
}

export interface JsonSyntaxError {
  message: string;
  offset: number;
  length: number;
}

export type ParseResult = { ok: true; root: JsonNode } | { ok: false; error: JsonSyntaxError };

/** Deep enough for any rules file, shallow enough that hostile input cannot exhaust the stack. */
const MAX_DEPTH = 64;

class Stop extends Error {
  constructor(readonly detail: JsonSyntaxError) {
    super(detail.message);
  }
}

export function parseJsonWithPositions(text: string): ParseResult {
  let pos = 0;
  if (text.charCodeAt(0) === 0xfeff) pos = 1;

  const fail = (message: string, offset = pos, length = 1): never => {
    throw new Stop({ message, offset, length: Math.max(0, Math.min(length, text.length - offset)) });
  };

  const skipSpace = () => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else if (c === 0x2f && (text[pos + 1] === '/' || text[pos + 1] === '*')) fail('comments are not allowed in JSON', pos, 2);
      else break;
    }
  };

  const describe = (at: number) => (at >= text.length ? 'end of file' : `"${text[at]}"`);

  const parseString = (): { value: string; start: number; end: number } => {
    const start = pos;
    pos++; // opening quote
    let out = '';
    for (;;) {
      if (pos >= text.length) fail('unterminated string', start, pos - start);
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        pos++;
        return { value: out, start, end: pos };
      }
      if (c === 0x5c) {
        const e = text[pos + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          pos += 2;
        } else if (e === 'u') {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape in string', pos, 6);
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else {
          fail(`invalid escape "\\${e ?? ''}" in string`, pos, 2);
        }
        continue;
      }
      if (c < 0x20) fail('control character in string (line breaks must be written \\n)', pos);
      out += text[pos];
      pos++;
    }
  };

  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

  const parseValue = (depth: number): JsonNode => {
    skipSpace();
    if (depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`);
    const start = pos;
    const c = text[pos];
    if (c === '{') {
      pos++;
      const properties: JsonProperty[] = [];
      skipSpace();
      if (text[pos] === '}') {
        pos++;
        return { type: 'object', start, end: pos, properties };
      }
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail(text[pos] === '}' ? 'trailing comma before "}"' : `expected a property name in double quotes, found ${describe(pos)}`);
        const key = parseString();
        skipSpace();
        if (text[pos] !== ':') fail(`expected ":" after property name "${key.value}", found ${describe(pos)}`);
        pos++;
        const value = parseValue(depth + 1);
        properties.push({ key: key.value, keyStart: key.start, keyEnd: key.end, value });
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return { type: 'object', start, end: pos, properties };
        }
        fail(`expected "," or "}" after a property value, found ${describe(pos)}`);
      }
    }
    if (c === '[') {
      pos++;
      const items: JsonNode[] = [];
      skipSpace();
      if (text[pos] === ']') {
        pos++;
        return { type: 'array', start, end: pos, items };
      }
      for (;;) {
        skipSpace();
        if (text[pos] === ']') fail('trailing comma before "]"');
        items.push(parseValue(depth + 1));
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return { type: 'array', start, end: pos, items };
        }
        fail(`expected "," or "]" after an array item, found ${describe(pos)}`);
      }
    }
    if (c === '"') {
      const s = parseString();
      return { type: 'string', start: s.start, end: s.end, value: s.value };
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER.lastIndex = pos;
      const m = NUMBER.exec(text);
      if (!m) fail('invalid number');
      pos = NUMBER.lastIndex;
      return { type: 'number', start, end: pos, value: Number(m![0]) };
    }
    for (const [word, node] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return node === null ? { type: 'null', start, end: pos, value: null } : { type: 'boolean', start, end: pos, value: node };
      }
    }
    if (c === "'") fail('strings must be in double quotes');
    return fail(pos >= text.length ? 'unexpected end of file' : `unexpected ${describe(pos)}`, pos, 1);
  };

  try {
    const root = parseValue(0);
    skipSpace();
    if (pos < text.length) fail(`unexpected ${describe(pos)} after the end of the JSON value`);
    return { ok: true, root };
  } catch (e) {
    if (e instanceof Stop) return { ok: false, error: e.detail };
    throw e;
  }
}

/** Offset → 0-based line and column; `\r\n`, `\n` and `\r` all end a line. */
/** The value of an object's property (the last one, as JSON.parse keeps), or undefined. */
export function propertyOf(node: JsonNode, key: string): JsonNode | undefined {
  if (node.type !== 'object') return undefined;
  for (let i = node.properties.length - 1; i >= 0; i--) if (node.properties[i].key === key) return node.properties[i].value;
  return undefined;
}

export class LineMap {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) this.starts.push(i + 1);
      else if (c === 0x0d) {
        if (text.charCodeAt(i + 1) === 0x0a) i++;
        this.starts.push(i + 1);
      }
    }
  }

  position(offset: number): { line: number; column: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, column: o - this.starts[lo] };
  }
}
