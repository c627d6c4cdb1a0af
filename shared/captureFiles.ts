/**
 * Which files are captures, declared once. package.json cannot import this:
 * its `customEditors` selector, the capture-text language's
 * `filenamePatterns` and the explorer menus' `when` clauses are copies that a
 * unit test (captureFiles.test.ts) holds to these values. The server does not
 * go by names at all: it sniffs the content.
 */

/** Binary captures the capture editor opens by default. */
export const BINARY_CAPTURE_PATTERNS = ['*.pcap', '*.pcapng', '*.cap', '*.pcap.gz', '*.pcapng.gz'] as const;

/**
 * Text dumps that open as the `capture-text` language (any other text file
 * can be switched to it). A `.txt` file is Plain Text by its extension before
 * VS Code ever tries the language's first-line rule, so every dump ending in
 * `.txt` must be named here to open as a capture; both cases of `x` are
 * listed because `-x` and `-X` are different tcpdump options.
 */
export const TEXT_DUMP_PATTERNS = [
  '*.flow.txt', '*-flow.txt', '*.tcpdump.txt', '*.hexdump', '*.tcpdump-X.txt', '*.tcpdump-XX.txt', '*.tcpdump-x.txt', '*.tcpdump-xx.txt', '*.tshark-x.txt',
] as const;

export const CAPTURE_PATTERNS: readonly string[] = [...BINARY_CAPTURE_PATTERNS, ...TEXT_DUMP_PATTERNS];

/** For `workspace.findFiles`. */
export const CAPTURE_GLOB = `**/{${CAPTURE_PATTERNS.join(',')}}`;

// '-' needs no escape outside a character class, and a when clause reads plainer without it.
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A capture's file name, by its ending (case-insensitive, as the menus
 * match). Its `source` is what package.json's `resourceFilename =~ /…/i`
 * clauses hold.
 */
export const CAPTURE_FILE_NAME = new RegExp(`(?:${CAPTURE_PATTERNS.map((p) => escapeRe(p.slice(1))).join('|')})$`, 'i');

export function isCaptureFileName(name: string): boolean {
  return CAPTURE_FILE_NAME.test(name);
}

/** File dialog filter: the last extension of every pattern (a dialog filters by one). */
export const CAPTURE_DIALOG_EXTENSIONS: readonly string[] = [...new Set(CAPTURE_PATTERNS.map((p) => p.slice(p.lastIndexOf('.') + 1)))];

/**
 * The capture's path without its capture ending, to name what is made from
 * it (`client.pcap.gz` → `client`): binary endings whole, a text dump's last
 * extension only (`client.tcpdump-X.txt` → `client.tcpdump-X`).
 */
export function captureBaseName(path: string): string {
  const lower = path.toLowerCase();
  const binary = [...BINARY_CAPTURE_PATTERNS].sort((a, b) => b.length - a.length).find((p) => lower.endsWith(p.slice(1)));
  if (binary) return path.slice(0, path.length - (binary.length - 1));
  return path.replace(/\.(txt|hexdump)$/i, '');
}
