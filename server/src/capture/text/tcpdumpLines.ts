import { hexValue, isBlank, isSpace, type Line } from './lines';
import { linkTypeFromName } from './link';
import { detectDeltaMode, tcpdumpTimeAt, TcpdumpClock, type HeaderTime } from './timestamps';

/** What a line of tcpdump output is, before any deeper parsing. */
export type TcpdumpLineKind =
  | 'blank'
  | 'hex' // "\t0x0010:  ..." (-x/-X)
  | 'indented' // -v continuation of the header line, or stray indented text
  | 'chatter' // tcpdump's own messages: "reading from file …", "N packets captured", …
  | 'timed' // starts with a timestamp: a header line
  | 'other'; // starts at column 0 without a timestamp: a header under -t, or garbage

/** True when s is "<spaces>0x<hex>:" — tcpdump's hex line prefix. */
export function isTcpdumpHexLine(s: string): boolean {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  if (s.charCodeAt(i) !== 48 || (s.charCodeAt(i + 1) | 32) !== 120) return false;
  let j = i + 2;
  while (j < s.length && hexValue(s.charCodeAt(j)) >= 0) j++;
  return j > i + 2 && s.charCodeAt(j) === 58;
}

const PACKETS_LINE = / packets? (captured|received by filter|dropped by (kernel|interface))$/;

/**
 * tcpdump's stderr messages, often pasted along with the output. Returns the
 * link type named in a "link-type" message, 0 for other chatter, -1 for no chatter.
 */
export function chatterLinkType(s: string): number {
  if (s.startsWith('reading from file ') || s.startsWith('listening on ')) {
    const k = s.indexOf('link-type ');
    if (k >= 0) {
      let e = k + 10;
      while (e < s.length && s.charCodeAt(e) !== 32 && s.charCodeAt(e) !== 44) e++;
      return linkTypeFromName(s.slice(k + 10, e)) ?? 0;
    }
    return 0;
  }
  if (s.startsWith('tcpdump: ') || s.startsWith('Warning: ') || s.startsWith('dropped privs')) return 0;
  // Bounded, anchored and without nested quantifiers: safe on any line length.
  if (s.length < 80 && /^\d+/.test(s) && PACKETS_LINE.test(s)) return 0;
  return -1;
}

export function tcpdumpLineKind(s: string): TcpdumpLineKind {
  if (isBlank(s)) return 'blank';
  const c = s.charCodeAt(0);
  if (isSpace(c)) {
    if (isTcpdumpHexLine(s)) return 'hex';
    // " 00:00:00.000041 IP …": the delta formats (-ttt, -ttttt) indent by one space.
    if (c === 32 && tcpdumpTimeAt(s)) return 'timed';
    return 'indented';
  }
  if (isTcpdumpHexLine(s)) return 'hex';
  if (tcpdumpTimeAt(s)) return 'timed';
  return chatterLinkType(s) >= 0 ? 'chatter' : 'other';
}

/** What a first pass over a tcpdump dump learns about its timestamp option. */
export interface TcpdumpStyle {
  /** Header lines carry timestamps (anything but -t). */
  timed: boolean;
  clock: TcpdumpClock;
  /** Link type from a "reading from file …, link-type …" line, if one was pasted. */
  linkHint: number | null;
}

/**
 * Reads every header line's timestamp once, so the clock knows before the
 * first packet whether deltas are -ttt or -ttttt, and whether lines without a
 * timestamp are the norm (-t) or garbage. Linear; no allocation per line
 * beyond the parsed timestamps.
 */
export function scanTcpdumpStyle(lines: Line[]): TcpdumpStyle {
  let timed = 0;
  let untimed = 0;
  let linkHint: number | null = null;
  let firstTod: HeaderTime | null = null;
  let first = true;
  const deltas: number[] = [];
  const tods: number[] = [];
  const kinds = lines.map((l) => tcpdumpLineKind(l.text));
  for (let k = 0; k < lines.length; k++) {
    const s = lines[k].text;
    const kind = kinds[k];
    if (kind === 'timed' || kind === 'other') {
      // Only lines that act as packet headers (hex follows, or "SRC > DST") vote on
      // the timestamp style, so a pile of garbage cannot pass for a -t dump.
      let j = k + 1;
      while (j < lines.length && kinds[j] === 'indented') j++;
      const header = kinds[j] === 'hex' || s.includes(' > ');
      if (kind === 'other') {
        if (header) untimed++;
        continue;
      }
      const t = tcpdumpTimeAt(s)!;
      if (header) timed++;
      if (t.token.kind === 'tod') {
        if (t.delta) deltas.push(t.token.seconds);
        else tods.push(t.token.seconds);
        if (first) firstTod = t;
      }
      first = false;
    } else if (kind === 'chatter' && linkHint === null) {
      const lt = chatterLinkType(s);
      if (lt > 0) linkHint = lt;
    }
  }
  // A leading space lost in copy-and-paste turns deltas into times of day; a
  // first packet at exactly midnight to the microsecond is the tell.
  const todIsDelta = firstTod !== null && !firstTod.delta && firstTod.token.seconds === 0;
  const mode = detectDeltaMode(todIsDelta ? tods : deltas);
  return { timed: timed >= untimed && timed > 0, clock: new TcpdumpClock(mode, todIsDelta), linkHint };
}
