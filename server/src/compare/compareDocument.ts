import type { ConnectionReport, Endpoint } from '../../../shared/analysis';
import type { CompareReport, ConnectionPair } from '../../../shared/compare';

export type CaptureSide = 'client' | 'relay';

/**
 * A comparison as the writers read it (compare --json, the text summary): its
 * pairs and both analyses' connections one at a time, in the order the
 * document lists them. A comparison held in memory (the language server, the
 * HTML and Markdown reports) is one; so is one whose connections and pairs
 * are on disk (streamedCompare.ts), which is how the CLI compares captures
 * of any size within its memory budget.
 */
export interface CompareDocument {
  /**
   * Everything but the bulk: `pairs` and each analysis's `connections` may be
   * left empty here; read them from `pairs()` and `connections()`.
   */
  readonly head: CompareReport;
  readonly pairCount: number;
  /** The pairs by client connection id. */
  pairs(): Iterable<ConnectionPair>;
  connectionCount(side: CaptureSide): number;
  /** One capture's connections by id. */
  connections(side: CaptureSide): Iterable<ConnectionReport>;
  /**
   * compare --json's texts of the connections and pairs, when the document
   * was written while it was judged (the CLI's streamed comparison); they
   * take the place of `connections()` and `pairs()` in the JSON document.
   */
  readonly rendered?: { connections(side: CaptureSide): Iterable<string>; pairs(): Iterable<string> };
  /**
   * The text summary's block and verdict line of each pair, by client id,
   * when they were written while judged (the CLI's streamed comparison as
   * text); they take the place of `pairs()` in formatCompare.
   */
  readonly renderedText?: () => Iterable<{ block: string; verdict: string }>;
  /** Where a connection went, as its capture saw it. */
  endpoints(side: CaptureSide, id: number): { client: Endpoint; server: Endpoint } | undefined;
}

/** A comparison held whole in memory, as a document. */
export function documentOf(r: CompareReport): CompareDocument {
  const indexes: Partial<Record<CaptureSide, Map<number, ConnectionReport>>> = {};
  const list = (side: CaptureSide) => (side === 'client' ? r.client.connections : r.relay?.connections ?? []);
  return {
    head: r,
    pairCount: r.pairs.length,
    pairs: () => r.pairs,
    connectionCount: (side) => list(side).length,
    connections: list,
    endpoints(side, id) {
      const index = indexes[side] ??= new Map(list(side).map((c) => [c.id, c]));
      return index.get(id);
    },
  };
}
