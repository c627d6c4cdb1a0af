/**
 * Users' own suspect-field rules, from `.handshake-inspector/rules.json` in
 * the workspace (or any file given with `--rules`). Format (JSON Schema in
 * rules.schema.json):
 *
 *   { "rules": [ {
 *       "id": "dhe-aes128",
 *       "field": "serverHello.cipherSuite",
 *       "match": { "in": ["0x0033", "0x0039"] },
 *       "explanation": "Our bridges were blocked when they chose a DHE-RSA CBC suite.",
 *       "reference": "field notes 2024-03",
 *       "weight": "medium"
 *   } ] }
 *
 * `field` is a field path (fieldPath.ts); `message` may be given and must then
 * agree with it. All operators in `match` must hold. Operators on a single
 * value (equals/notEquals with a single operand, in, notIn, regex, lessThan,
 * greaterThan) test each element when the field is a list and mark the
 * elements that match; the others (equals/notEquals with a list operand,
 * contains, lengthLessThan, lengthGreaterThan, exists) test the field as a
 * whole. Numbers may be written as hex strings ("0x0039").
 *
 * Loading never throws: problems come back as errors at the line and column
 * (0-based) of the offending value, and the valid rules are kept.
 *
 * Regular expressions run on strings from the capture, which whoever made the
 * traffic controls. To keep a pattern from running for minutes: patterns are
 * at most 256 characters, may not nest quantifiers ((a+)+, (a|b)*) or use
 * backreferences, may have at most two unbounded quantifiers (* + {n,}), and
 * are only tried on values of at most 1 KiB (longer values never match). The
 * remaining worst case — two overlapping unbounded quantifiers on a hostile
 * 1 KiB value — costs about a third of a second per value on a current CPU.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConnectionReport } from '../../../shared/analysis';
import type { Suspect } from '../../../shared/compare';
import { type Weight } from './catalogue';
import { formatField, RULE_ROOTS, ruleKeys } from '../../../shared/fields/registry';
import { fieldRange, isPathError, messageOfField, parseFieldPath, resolveField, type PathSegment, type ResolvedField } from './fieldPath';
import { LineMap, parseJsonWithPositions, type JsonNode } from '../json/jsonPositions';

/** Where the rules live in a workspace. */
export const USER_RULES_FILE = '.handshake-inspector/rules.json';

export const MATCH_OPERATORS = [
  'equals', 'notEquals', 'in', 'notIn', 'regex', 'lessThan', 'greaterThan', 'lengthLessThan', 'lengthGreaterThan', 'contains', 'exists',
] as const;
export type MatchOperator = (typeof MATCH_OPERATORS)[number];

export const RULE_MESSAGES = ['ClientHello', 'ServerHello', 'ServerKeyExchange', 'Certificate'] as const;
export const WEIGHTS = ['high', 'medium', 'low'] as const;
export const RULE_KEYS = ['id', 'message', 'field', 'match', 'explanation', 'reference', 'weight'] as const;

export const REGEX_MAX_INPUT = 1024;
export const REGEX_MAX_PATTERN = 256;
export const REGEX_MAX_UNBOUNDED = 2;
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_RULES = 1000;
const MAX_LIST = 10000;
const MAX_MARKS_PER_RULE = 50;

export interface UserRuleError {
  message: string;
  /** 0-based, of the offending value's first character. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

type Scalar = string | number | boolean | null;

export interface UserRuleMatch {
  /** The operators as written (for display and re-serialisation). */
  spec: Partial<Record<MatchOperator | 'flags', unknown>>;
  /** Tests on one value; on a list, one element at a time. */
  element: Array<(v: unknown) => boolean>;
  /** Tests on the field as a whole. */
  whole: Array<(v: unknown) => boolean>;
}

export interface UserRule {
  /** As written in the file. */
  id: string;
  /** Rule id in suspects: `user.<id>`. */
  ruleId: string;
  message: string;
  field: string;
  segments: PathSegment[];
  match: UserRuleMatch;
  explanation: string;
  reference: string;
  weight: Weight;
  /** Where the rule is defined. */
  source: { path: string | null; line: number; column: number };
}

export interface UserRulesResult {
  rules: UserRule[];
  errors: UserRuleError[];
}

// ---------------------------------------------------------------------------
// Fields a rule may name: the field registry's (typed by the report's own
// keys there, so a renamed report field breaks the build instead of silently
// making users' rules never match).

const ROOTS: Record<string, readonly string[]> = Object.fromEntries(
  RULE_ROOTS.map((root) => [root, ruleKeys(root === 'certificates' ? 'certificates[*]' : root)]),
);
const EXTENSION_KEYS = ruleKeys('clientHello.extensions[*]');

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

function suggest(word: string, options: readonly string[]): string {
  let best: string | null = null;
  let bestD = Infinity;
  for (const o of options) {
    const dist = editDistance(word, o);
    if (dist < bestD) {
      best = o;
      bestD = dist;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(word.length / 3)) ? ` — did you mean "${best}"?` : '';
}

/** Checks a path against the report's shape; returns a problem and the character of the path it is at. */
function checkField(path: string): { segments: PathSegment[] } | { error: string; at: number } {
  const segs = parseFieldPath(path);
  if (isPathError(segs)) return segs;
  const root = (segs[0] as { name: string }).name;
  const keys = ROOTS[root];
  if (!keys) return { error: `"${root}" is not a field of a connection: fields start with ${Object.keys(ROOTS).join(', ')}${suggest(root, Object.keys(ROOTS))}`, at: 0 };
  let at = root.length;
  let i = 1;
  if (root === 'certificates') {
    if (segs.length === 1) return { segments: segs };
    if (segs[1].kind === 'key') return { error: 'certificates is a list: write certificates[0] (the leaf), certificates[1] … or certificates[*]', at };
    at += segs[1].kind === 'any' ? 3 : String(segs[1].index).length + 2;
    i = 2;
  }
  const next = segs[i];
  if (!next) return { segments: segs };
  if (next.kind !== 'key') return { error: `${root} is not a list`, at };
  if (!keys.includes(next.name)) {
    return { error: `"${next.name}" is not a field of ${root}${suggest(next.name, keys)} (fields: ${keys.join(', ')})`, at: at + 1 };
  }
  at += 1 + next.name.length;
  // Extension entries have a fixed shape up to their decoded data.
  if (next.name === 'extensions' && root !== 'certificates') {
    const ix = segs[i + 1];
    const key = segs[i + 2];
    if (ix && ix.kind === 'key') return { error: 'extensions is a list: write extensions[0] or extensions[*]', at };
    if (ix && key) {
      at += ix.kind === 'any' ? 3 : String(ix.index).length + 2;
      if (key.kind !== 'key') return { error: 'an extension is not a list', at };
      if (!(EXTENSION_KEYS as readonly string[]).includes(key.name)) {
        return { error: `"${key.name}" is not a field of an extension${suggest(key.name, EXTENSION_KEYS)} (fields: ${EXTENSION_KEYS.join(', ')})`, at: at + 1 };
      }
    }
  }
  return { segments: segs };
}

// ---------------------------------------------------------------------------
// Regular expressions

/** Why a pattern could run for a long time on hostile input, or null when it is acceptable. */
export function regexRisk(pattern: string): string | null {
  if (pattern.length > REGEX_MAX_PATTERN) return `the pattern is longer than ${REGEX_MAX_PATTERN} characters`;
  interface Group { quantified: boolean; alternation: boolean }
  const stack: Group[] = [{ quantified: false, alternation: false }];
  let unbounded = 0;
  let inClass = false;
  /** Reads a quantifier at i: its length and whether it repeats (more than once) and is unbounded. */
  const quantifierAt = (i: number): { len: number; repeats: boolean; unbounded: boolean } | null => {
    const c = pattern[i];
    if (c === '*' || c === '+') return { len: pattern[i + 1] === '?' ? 2 : 1, repeats: true, unbounded: true };
    if (c === '?') return { len: pattern[i + 1] === '?' ? 2 : 1, repeats: false, unbounded: false };
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}\??/.exec(pattern.slice(i));
      if (!m) return null;
      const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
      return { len: m[0].length, repeats: max > 1, unbounded: max === Infinity };
    }
    return null;
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n !== undefined && /[1-9]/.test(n) && !inClass) return 'backreferences (\\1 …) are not allowed';
      if (n === 'k' && pattern[i + 2] === '<' && !inClass) return 'named backreferences (\\k<…>) are not allowed';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      // A "]" right after "[" or "[^" is a literal in other dialects but closes an empty class in JS.
      continue;
    }
    if (c === '(') {
      stack.push({ quantified: false, alternation: false });
      if (pattern[i + 1] === '?') {
        // Group modifiers (?: (?= (?! (?<= (?<! (?<name> are not quantifiers.
        const m = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(i + 1));
        if (m) i += m[0].length;
      }
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1].alternation = true;
      continue;
    }
    if (c === ')') {
      if (stack.length === 1) continue; // unbalanced: RegExp itself reports it
      const g = stack.pop()!;
      const q = quantifierAt(i + 1);
      if (q) {
        if (q.repeats && (g.quantified || g.alternation)) {
          return 'a repeated group contains a quantifier or an alternation ((a+)+, (a|b)*): it can take exponential time; rewrite it without nesting';
        }
        if (q.unbounded) unbounded++;
        i += q.len;
      }
      const parent = stack[stack.length - 1];
      parent.quantified = parent.quantified || g.quantified || q !== null;
      continue;
    }
    const q = quantifierAt(i);
    if (q) {
      stack[stack.length - 1].quantified = true;
      if (q.unbounded) unbounded++;
      i += q.len - 1;
    }
  }
  if (unbounded > REGEX_MAX_UNBOUNDED) return `more than ${REGEX_MAX_UNBOUNDED} unbounded quantifiers (* + {n,}): such patterns can take minutes on hostile input; use bounded ones like {0,64}`;
  return null;
}

// ---------------------------------------------------------------------------
// Loading

interface Ctx {
  lines: LineMap;
  errors: UserRuleError[];
}

function report(ctx: Ctx, message: string, start: number, end: number): void {
  const a = ctx.lines.position(start);
  const b = ctx.lines.position(Math.max(start, end));
  ctx.errors.push({ message, line: a.line, column: a.column, endLine: b.line, endColumn: b.column });
}

function at(ctx: Ctx, node: { start: number; end: number }, message: string): void {
  report(ctx, message, node.start, node.end);
}

function typeName(n: JsonNode): string {
  return n.type === 'object' ? 'an object' : n.type === 'array' ? 'a list' : n.type === 'null' ? 'null' : `a ${n.type}`;
}

function scalarOf(n: JsonNode): { ok: true; value: Scalar } | { ok: false } {
  return n.type === 'object' || n.type === 'array' ? { ok: false } : { ok: true, value: n.value };
}

const HEX = /^0x[0-9a-f]+$/i;

/** A number written as a JSON number or as a hex string. */
function numberOf(v: Scalar): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && HEX.test(v) && v.length <= 15) return parseInt(v.slice(2), 16);
  return null;
}

/** Equality between a report value and an operand as written: hex strings equal the numbers they spell. */
function same(value: unknown, operand: Scalar): boolean {
  if (value === operand) return true;
  if (typeof value === 'number') {
    const n = numberOf(operand);
    return n !== null && n === value;
  }
  if (typeof value === 'bigint') {
    const n = numberOf(operand);
    return n !== null && BigInt(n) === value;
  }
  return false;
}

function sameList(value: unknown, operand: Scalar[]): boolean {
  return Array.isArray(value) && value.length === operand.length && value.every((v, i) => same(v, operand[i]));
}

function lengthOf(v: unknown): number | null {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  return null;
}

function compileMatch(ctx: Ctx, node: JsonNode): UserRuleMatch | null {
  if (node.type !== 'object') {
    at(ctx, node, `"match" must be an object of operators (${MATCH_OPERATORS.join(', ')}), not ${typeName(node)}`);
    return null;
  }
  const m: UserRuleMatch = { spec: {}, element: [], whole: [] };
  let ok = true;
  let operators = 0;
  let regexNode: JsonNode | null = null;
  let flagsNode: JsonNode | null = null;
  const seen = new Set<string>();
  for (const p of node.properties) {
    const v = p.value;
    const keyNode = { start: p.keyStart, end: p.keyEnd };
    if (seen.has(p.key)) {
      at(ctx, keyNode, `"${p.key}" is given twice`);
      ok = false;
      continue;
    }
    seen.add(p.key);
    if (p.key === 'flags') {
      flagsNode = v;
      continue;
    }
    if (!(MATCH_OPERATORS as readonly string[]).includes(p.key)) {
      at(ctx, keyNode, `unknown operator "${p.key}"${suggest(p.key, MATCH_OPERATORS)} (operators: ${MATCH_OPERATORS.join(', ')})`);
      ok = false;
      continue;
    }
    operators++;
    const op = p.key as MatchOperator;
    switch (op) {
      case 'equals':
      case 'notEquals': {
        const negate = op === 'notEquals';
        if (v.type === 'array') {
          const items = v.items.map(scalarOf);
          if (items.some((x) => !x.ok)) {
            at(ctx, v, `"${op}" with a list compares the whole field to a list of plain values (strings, numbers, true/false, null)`);
            ok = false;
            break;
          }
          const list = items.map((x) => (x as { value: Scalar }).value);
          m.whole.push((val) => sameList(val, list) !== negate);
          m.spec[op] = list;
        } else if (v.type === 'object') {
          at(ctx, v, `"${op}" takes a plain value or a list of them, not an object`);
          ok = false;
        } else {
          const operand = v.value;
          m.element.push((val) => same(val, operand) !== negate);
          m.spec[op] = operand;
        }
        break;
      }
      case 'in':
      case 'notIn': {
        if (v.type !== 'array' || v.items.length === 0 || v.items.length > MAX_LIST) {
          at(ctx, v, `"${op}" takes a non-empty list of values (at most ${MAX_LIST})`);
          ok = false;
          break;
        }
        const items = v.items.map(scalarOf);
        const bad = v.items.find((_, i) => !items[i].ok);
        if (bad) {
          at(ctx, bad, `"${op}" list items must be plain values (strings, numbers, true/false, null), not ${typeName(bad)}`);
          ok = false;
          break;
        }
        const list = items.map((x) => (x as { value: Scalar }).value);
        const negate = op === 'notIn';
        m.element.push((val) => list.some((x) => same(val, x)) !== negate);
        m.spec[op] = list;
        break;
      }
      case 'regex':
        if (v.type !== 'string') {
          at(ctx, v, `"regex" takes a pattern string, not ${typeName(v)}`);
          ok = false;
        } else regexNode = v;
        break;
      case 'lessThan':
      case 'greaterThan': {
        const n = v.type === 'number' || v.type === 'string' ? numberOf(v.value) : null;
        if (n === null) {
          at(ctx, v, `"${op}" takes a number (or a hex string like "0x0400")`);
          ok = false;
          break;
        }
        const less = op === 'lessThan';
        m.element.push((val) => typeof val === 'number' && (less ? val < n : val > n));
        m.spec[op] = v.type === 'number' || v.type === 'string' ? v.value : n;
        break;
      }
      case 'lengthLessThan':
      case 'lengthGreaterThan': {
        if (v.type !== 'number' || !Number.isInteger(v.value) || v.value < 0) {
          at(ctx, v, `"${op}" takes a whole number of elements or characters`);
          ok = false;
          break;
        }
        const n = v.value;
        const less = op === 'lengthLessThan';
        m.whole.push((val) => {
          const len = lengthOf(val);
          return len !== null && (less ? len < n : len > n);
        });
        m.spec[op] = n;
        break;
      }
      case 'contains': {
        const s = scalarOf(v);
        if (!s.ok) {
          at(ctx, v, '"contains" takes one plain value: an element for a list field, a substring for a text field');
          ok = false;
          break;
        }
        const operand = s.value;
        m.whole.push((val) => (Array.isArray(val) ? val.some((x) => same(x, operand)) : typeof val === 'string' && typeof operand === 'string' && val.includes(operand)));
        m.spec.contains = operand;
        break;
      }
      case 'exists': {
        if (v.type !== 'boolean') {
          at(ctx, v, '"exists" takes true or false');
          ok = false;
          break;
        }
        const want = v.value;
        m.whole.push((val) => (val !== undefined && val !== null) === want);
        m.spec.exists = want;
        break;
      }
    }
  }
  if (flagsNode && !regexNode) {
    at(ctx, flagsNode, '"flags" only goes with "regex"');
    ok = false;
  }
  if (regexNode && regexNode.type === 'string') {
    let flags = '';
    if (flagsNode) {
      if (flagsNode.type !== 'string' || !/^[imsu]*$/.test(flagsNode.value) || new Set(flagsNode.value).size !== flagsNode.value.length) {
        at(ctx, flagsNode, '"flags" takes some of the letters i, m, s, u (each once)');
        ok = false;
      } else flags = flagsNode.value;
    }
    const pattern = regexNode.value;
    const risk = regexRisk(pattern);
    let re: RegExp | null = null;
    if (risk) {
      at(ctx, regexNode, `regex rejected: ${risk}`);
      ok = false;
    } else {
      try {
        re = new RegExp(pattern, flags);
      } catch (e) {
        at(ctx, regexNode, `invalid regex: ${e instanceof Error ? e.message : String(e)}`);
        ok = false;
      }
    }
    if (re) {
      const r = re;
      m.element.push((val) => typeof val === 'string' && val.length <= REGEX_MAX_INPUT && r.test(val));
      m.spec.regex = pattern;
      if (flags) m.spec.flags = flags;
    }
  }
  if (operators === 0 && ok) {
    at(ctx, node, `"match" needs at least one operator (${MATCH_OPERATORS.join(', ')})`);
    ok = false;
  }
  return ok ? m : null;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function compileRule(ctx: Ctx, node: JsonNode, path: string | null, ids: Set<string>): UserRule | null {
  if (node.type !== 'object') {
    at(ctx, node, `a rule must be an object with ${RULE_KEYS.join(', ')}, not ${typeName(node)}`);
    return null;
  }
  const props = new Map<string, JsonNode>();
  let ok = true;
  for (const p of node.properties) {
    const keyNode = { start: p.keyStart, end: p.keyEnd };
    if (!(RULE_KEYS as readonly string[]).includes(p.key)) {
      at(ctx, keyNode, `unknown property "${p.key}"${suggest(p.key, RULE_KEYS)} (a rule has ${RULE_KEYS.join(', ')})`);
      ok = false;
    } else if (props.has(p.key)) {
      at(ctx, keyNode, `"${p.key}" is given twice`);
      ok = false;
    } else props.set(p.key, p.value);
  }
  for (const required of ['id', 'field', 'match', 'explanation'] as const) {
    if (!props.has(required)) {
      at(ctx, { start: node.start, end: node.start + 1 }, `the rule has no "${required}"`);
      ok = false;
    }
  }

  const str = (key: string, max: number): string | null => {
    const v = props.get(key);
    if (!v) return null;
    if (v.type !== 'string' || v.value.trim() === '') {
      at(ctx, v, `"${key}" must be a non-empty string`);
      ok = false;
      return null;
    }
    if (v.value.length > max) {
      at(ctx, v, `"${key}" is longer than ${max} characters`);
      ok = false;
      return null;
    }
    return v.value;
  };

  const id = str('id', 100);
  if (id !== null) {
    const idNode = props.get('id')!;
    if (!ID.test(id)) {
      at(ctx, idNode, 'an id is letters, digits, ".", "_" and "-", starting with a letter or digit');
      ok = false;
    } else if (ids.has(id)) {
      at(ctx, idNode, `another rule already has the id "${id}"`);
      ok = false;
    } else ids.add(id);
  }

  const field = str('field', 200);
  let segments: PathSegment[] | null = null;
  if (field !== null) {
    const fieldNode = props.get('field')!;
    const checked = checkField(field);
    if ('error' in checked) {
      // Point into the string when it has no escapes, so the column is the offending character.
      const plain = fieldNode.end - fieldNode.start === field.length + 2;
      const start = plain ? fieldNode.start + 1 + checked.at : fieldNode.start;
      report(ctx, checked.error, start, plain ? Math.max(start + 1, fieldNode.end - 1) : fieldNode.end);
      ok = false;
    } else segments = checked.segments;
  }

  let message: string | null = field !== null ? messageOfField(field) : null;
  const messageNode = props.get('message');
  if (messageNode) {
    const given = str('message', 40);
    if (given !== null && !(RULE_MESSAGES as readonly string[]).includes(given)) {
      at(ctx, messageNode, `"message" is one of ${RULE_MESSAGES.join(', ')}${suggest(given, RULE_MESSAGES)}`);
      ok = false;
    } else if (given !== null && message !== null && given !== message && segments) {
      at(ctx, messageNode, `${field} is in the ${message}, not the ${given}`);
      ok = false;
    } else if (given !== null) message = given;
  }

  const explanation = str('explanation', 4000);
  const reference = props.has('reference') ? str('reference', 1000) : null;

  let weight: Weight = 'medium';
  const weightNode = props.get('weight');
  if (weightNode) {
    if (weightNode.type !== 'string' || !(WEIGHTS as readonly string[]).includes(weightNode.value)) {
      at(ctx, weightNode, `"weight" is "high", "medium" or "low"`);
      ok = false;
    } else weight = weightNode.value as Weight;
  }

  const matchNode = props.get('match');
  const match = matchNode ? compileMatch(ctx, matchNode) : null;
  if (matchNode && !match) ok = false;

  if (!ok || id === null || field === null || segments === null || match === null || explanation === null) return null;
  const pos = ctx.lines.position(node.start);
  return {
    id,
    ruleId: `user.${id}`,
    message: message ?? 'Connection',
    field,
    segments,
    match,
    explanation,
    reference: reference ?? `user rule "${id}"${path ? ` in ${path}` : ''} (no reference given)`,
    weight,
    source: { path, line: pos.line, column: pos.column },
  };
}

/** Parses and checks rules from text. `path` is only used in messages and references. */
export function parseUserRules(text: string, path: string | null = null): UserRulesResult {
  const ctx: Ctx = { lines: new LineMap(text), errors: [] };
  if (text.length > MAX_FILE_BYTES) {
    report(ctx, `the rules file is larger than ${MAX_FILE_BYTES / 1024} KiB`, 0, 0);
    return { rules: [], errors: ctx.errors };
  }
  const parsed = parseJsonWithPositions(text);
  if (!parsed.ok) {
    report(ctx, `not valid JSON: ${parsed.error.message}`, parsed.error.offset, parsed.error.offset + parsed.error.length);
    return { rules: [], errors: ctx.errors };
  }
  const root = parsed.root;
  if (root.type !== 'object') {
    at(ctx, root, `the file must hold an object like { "rules": [ … ] }, not ${typeName(root)}`);
    return { rules: [], errors: ctx.errors };
  }
  let list: JsonNode | null = null;
  for (const p of root.properties) {
    if (p.key === 'rules') list = p.value;
    else if (p.key !== '$schema') at(ctx, { start: p.keyStart, end: p.keyEnd }, `unknown property "${p.key}" (the file has "rules" and optionally "$schema")`);
  }
  if (!list) {
    at(ctx, { start: root.start, end: root.start + 1 }, 'no "rules" list');
    return { rules: [], errors: ctx.errors };
  }
  if (list.type !== 'array') {
    at(ctx, list, `"rules" must be a list, not ${typeName(list)}`);
    return { rules: [], errors: ctx.errors };
  }
  const rules: UserRule[] = [];
  const ids = new Set<string>();
  for (const item of list.items.slice(0, MAX_RULES)) {
    const r = compileRule(ctx, item, path, ids);
    if (r) rules.push(r);
  }
  if (list.items.length > MAX_RULES) at(ctx, list.items[MAX_RULES], `only the first ${MAX_RULES} rules are used`);
  return { rules, errors: ctx.errors };
}

/** Reads and checks a rules file. A missing or unreadable file is an error at 0:0, never an exception. */
export async function loadUserRulesFile(path: string): Promise<UserRulesResult> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_FILE_BYTES) {
      return { rules: [], errors: [{ message: `the rules file is larger than ${MAX_FILE_BYTES / 1024} KiB`, line: 0, column: 0, endLine: 0, endColumn: 0 }] };
    }
    text = bytes.toString('utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : e instanceof Error ? e.message : String(e);
    return { rules: [], errors: [{ message: `cannot read ${path}: ${why}`, line: 0, column: 0, endLine: 0, endColumn: 0 }] };
  }
  return parseUserRules(text, path);
}

/** Loader for either form: `{ path }` reads the file, `{ text }` checks text already in memory (an unsaved editor). */
export async function loadUserRules(input: { path: string } | { text: string; path?: string }): Promise<UserRulesResult> {
  return 'text' in input ? parseUserRules(input.text, input.path ?? null) : loadUserRulesFile(input.path);
}

/** The workspace's rules file path. */
export function userRulesPath(workspaceRoot: string): string {
  return join(workspaceRoot, ...USER_RULES_FILE.split('/'));
}

// ---------------------------------------------------------------------------
// Evaluation

/** A marked value as the field registry shows it (as reports, hovers and the webview do); raw for fields it has no words for. */
function display(path: string, v: unknown): string {
  const s = (v === undefined ? null : formatField(path, v)) ?? raw(v);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

function raw(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? `${v} (0x${v.toString(16).padStart(4, '0')})` : String(v);
  if (typeof v === 'string') return v;
  if (v === undefined) return '(absent)';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** The fields one rule marks in a connection. */
export function evaluateUserRule(conn: ConnectionReport, rule: UserRule): Suspect[] {
  const wildcard = rule.segments.some((s) => s.kind === 'any');
  const hits = resolveField(conn, rule.segments);
  let whole: unknown;
  let elements: ResolvedField[];
  let wholePath = rule.field;
  if (wildcard) {
    whole = hits.map((h) => h.value);
    elements = hits;
  } else if (hits.length === 0) {
    whole = undefined;
    elements = [];
  } else {
    whole = hits[0].value;
    wholePath = hits[0].path;
    elements = Array.isArray(whole) ? whole.map((v, i) => ({ path: `${wholePath}[${i}]`, value: v })) : [{ path: wholePath, value: whole }];
  }
  const m = rule.match;
  // An absent field matches nothing but an explicit "exists": false.
  if (whole === undefined && !('exists' in m.spec)) return [];
  if (!m.whole.every((t) => t(whole))) return [];
  const marks: Array<{ path: string; value: unknown }> = [];
  if (m.element.length === 0) marks.push({ path: wholePath, value: whole });
  else {
    for (const e of elements) {
      if (m.element.every((t) => t(e.value))) marks.push(e);
      if (marks.length >= MAX_MARKS_PER_RULE) break;
    }
  }
  return marks.map((mk) => ({
    rule: rule.ruleId,
    field: mk.path,
    message: rule.message,
    weight: rule.weight,
    rank: 0,
    range: fieldRange(conn, mk.path),
    value: display(mk.path, mk.value),
  }));
}

/** Every user rule on one connection; a rule that fails on odd input is skipped, not fatal. */
export function evaluateUserRules(conn: ConnectionReport, rules: readonly UserRule[]): Suspect[] {
  const out: Suspect[] = [];
  for (const r of rules) {
    try {
      out.push(...evaluateUserRule(conn, r));
    } catch {
      // A report shape the rule did not expect: no mark.
    }
  }
  return out;
}
