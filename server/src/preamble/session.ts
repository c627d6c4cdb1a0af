import type { Direction } from '../tls/types';
import type { UnitExtra, UnitSink } from './parse';
import type { PreambleKind, PreambleTarget, PreambleUnit } from './types';

/** Units kept per connection; a preamble is a handful of lines. */
const UNIT_LIMIT = 64;

/** What the two directions' preamble readers of one connection found. */
export class PreambleSession implements UnitSink {
  readonly units: PreambleUnit[] = [];
  unitsDropped = 0;
  destination: PreambleTarget | null = null;
  source: PreambleTarget | null = null;
  /** Framings read, in order, per direction (e.g. proxy-v2 then text). */
  readonly kinds: Record<Direction, PreambleKind[]> = { client: [], server: [] };
  /** Stream offset where TLS began after a preamble; null when it did not (or there was no preamble). */
  readonly tlsStart: Record<Direction, number | null> = { client: null, server: null };
  /** Why a direction's preamble did not lead to TLS. */
  readonly failure: Record<Direction, string | null> = { client: null, server: null };
  /** A TLS record header found after bytes of an unrecognised protocol (reported, not decoded). */
  readonly unknownTls: Record<Direction, { offset: number; after: string } | null> = { client: null, server: null };
  private seq = 0;

  /** True once either direction was read as a known preamble. */
  get seen(): boolean {
    return this.kinds.client.length > 0 || this.kinds.server.length > 0;
  }

  unit(from: Direction, start: number, end: number, text: string, extra?: UnitExtra): void {
    if (this.units.length >= UNIT_LIMIT) {
      this.unitsDropped++;
      return;
    }
    const u: PreambleUnit = { from, span: [start, end], text, seq: this.seq++ };
    if (extra?.refusal) u.refusal = extra.refusal;
    if (extra?.startTls) u.startTls = true;
    if (extra?.parts?.length) u.parts = extra.parts;
    this.units.push(u);
  }

  target(t: PreambleTarget, kind: 'destination' | 'source'): void {
    if (kind === 'destination') this.destination ??= t;
    else this.source ??= t;
  }
}
