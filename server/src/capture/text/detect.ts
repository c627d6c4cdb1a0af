import type { CaptureFormat } from '../packet';
import { hexValue, isSpace, splitLines, type Line } from './lines';
import { lineOffset } from './offsetHex';
import { isTcpdumpHexLine, tcpdumpLineKind } from './tcpdumpLines';
import { paneTitle } from './tsharkHex';

/** Lines looked at: enough for dozens of packets, bounded so detection stays cheap on huge dumps. */
const DETECT_LINES = 5000;

/** "0000  45 00 3c …   E..<": tshark's 4-digit offset, two spaces, single-spaced bytes, 3 spaces, ASCII. */
function isTsharkHexLine(s: string): boolean {
  const off = lineOffset(s, 4);
  if (!off || off.end !== 4 || off.gap !== 2) return false;
  // Bytes "xx " from column 6; a full line has the ASCII pane at column 56.
  let i = 6;
  let bytes = 0;
  while (i + 1 < s.length && hexValue(s.charCodeAt(i)) >= 0 && hexValue(s.charCodeAt(i + 1)) >= 0) {
    bytes++;
    i += 2;
    if (s.charCodeAt(i) !== 32) break;
    i++;
  }
  if (bytes === 0) return false;
  // The pane is three spaces after a full line and further out after a short one.
  return s.length > 56 && isSpace(s.charCodeAt(53)) && isSpace(s.charCodeAt(54)) && isSpace(s.charCodeAt(55));
}

/** "000010 00 3c ca 27": any offset of 2+ digits followed by at least one 2-digit byte. */
function isOffsetHexLine(s: string): boolean {
  const off = lineOffset(s, 2);
  if (!off || off.gap === 0) return false;
  const i = off.end + off.gap;
  return (
    i + 1 < s.length &&
    hexValue(s.charCodeAt(i)) >= 0 &&
    hexValue(s.charCodeAt(i + 1)) >= 0 &&
    (i + 2 === s.length || isSpace(s.charCodeAt(i + 2)))
  );
}

/**
 * Which text dump this is, from content alone. tcpdump hex lines are
 * unmistakable ("\t0x0010:"); offset-first lines are tshark's when they have
 * its exact layout or a pane title ("Frame (74 bytes):") appears, else the
 * generic text2pcap form; lines with ": Flags [" and no hex are tcpdump
 * summaries. Null when nothing fits.
 */
export function detectTextDialect(text: string): CaptureFormat | null {
  return detectLines(splitLines(text.length > 4_000_000 ? text.slice(0, 4_000_000) : text));
}

export function detectLines(lines: Line[]): CaptureFormat | null {
  let tcpdumpHex = 0;
  let tshark = 0;
  let titles = 0;
  let offsetHex = 0;
  let summary = 0;
  // Blank lines do not count toward the lines looked at: a dump with
  // thousands of them after its first header was taken for a summary.
  for (let k = 0, seen = 0; k < lines.length && seen < DETECT_LINES; k++) {
    const s = lines[k].text;
    if (s.trim().length === 0) continue;
    seen++;
    if (isTcpdumpHexLine(s)) tcpdumpHex++;
    else if (isTsharkHexLine(s)) tshark++;
    else if (isOffsetHexLine(s)) offsetHex++;
    else if (paneTitle(s)) titles++;
    else if (s.includes(': Flags [')) {
      const kind = tcpdumpLineKind(s);
      if (kind === 'timed' || kind === 'other' || kind === 'indented') summary++;
    }
  }
  if (tcpdumpHex > 0 && tcpdumpHex >= tshark + offsetHex) return 'tcpdump-hex';
  if (tshark + offsetHex > 0) {
    return titles > 0 || tshark >= offsetHex ? 'tshark-hex' : 'text2pcap-hex';
  }
  if (summary > 0) return 'tcpdump-summary';
  return null;
}
