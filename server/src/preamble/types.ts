import type { Direction, Span } from '../tls/types';

/** One decoded unit of a preamble: a command or response line, a SOCKS message, a PROXY header, an LDAP message. */
export interface PreambleUnit {
  from: Direction;
  /** Stream offsets [start, end) in the sender's direction. */
  span: Span;
  /** What the bytes say, escaped, for people (never a password). */
  text: string;
  /** Order of arrival over both directions: answers follow their commands. */
  seq: number;
  /** Set when the unit says the other side refused to go on (a 454, SOCKS reply 0x5b, Postgres 'N' …). */
  refusal?: string;
  /** A STARTTLS-style command (the client asks to turn the stream into TLS). */
  startTls?: boolean;
  /** Its named elements (the SOCKS target, the CONNECT authority, PROXY addresses), for hovers on the bytes. */
  parts?: PreamblePart[];
}

/** A named element of a unit: what the bytes [start, end) of the stream are. */
export interface PreamblePart {
  name: string;
  span: Span;
  /** What it says, escaped; '(not shown)' for a password. */
  value: string;
}

/** Which framing a direction's preamble is read with. */
export type PreambleKind = 'text' | 'socks4' | 'socks5' | 'postgres' | 'ldap' | 'proxy-v2';

/** Where a proxy preamble says the connection goes (SOCKS, CONNECT) or comes from (PROXY protocol). */
export interface PreambleTarget {
  host: string;
  port: number;
}
