/**
 * One thread's share of a streamed comparison's judging (streamedCompare.ts):
 * a run of the matched pairs (or, when the document is written as JSON, a run
 * of the client's connections with the pairs they are in), each judged and
 * written while its two reports are in memory. Reading the reports back is
 * most of a big comparison's judging, so the main thread and the relay's
 * analysis thread (done with its analysis by then) each take a share.
 *
 * What a share writes only depends on the pairs and connections in it: the
 * certificates a JSON connection refers back to are planned over the whole
 * capture (PlannedCertificates), and a rule's text is the same whichever
 * thread looks it up. So the document is the one a single thread writes.
 */
import type { ConnectionReport } from '../../../shared/analysis';
import type { ConnectionPair, RuleTexts } from '../../../shared/compare';
import type { CertificateMemory } from '../output/jsonContract';
import { comparePairText, verdictLine, type TextOptions } from '../output/textSummary';
import { describeRules } from '../rules';
import type { RecordSpool } from '../util/recordSpool';
import { judgeMatch, type PairOptions } from './compareCaptures';
import type { ConnectionBrief } from './connectionBrief';
import type { Match } from './matchConnections';

/** A capture's connections as a share reads them: each report from disk, each brief from memory. */
export interface ShareCapture {
  get(id: number): ConnectionReport | undefined;
  brief(id: number): ConnectionBrief | undefined;
}

/** How a share writes what it judges: the JSON renderer's calls, the text summary's blocks, or the pairs themselves. */
export type ShareOutput =
  | { kind: 'json'; connection(c: ConnectionReport, written: CertificateMemory): string; pair(p: ConnectionPair): string; clientTexts: RecordSpool<string>; relayTexts: RecordSpool<string>;
    clientPlan: CertificateMemory; relayPlan: CertificateMemory; pairTexts: RecordSpool<string> }
  | { kind: 'text'; options: TextOptions; pairTexts: RecordSpool<string> }
  | { kind: 'pairs'; pairs: RecordSpool<ConnectionPair> };

/** What a share did, in plain data (it crosses threads): the pairs in the order judged, where each text went. */
export interface ShareResult {
  /** Per pair judged: client id, relay id, record (in the pair spool), clock offset, the verdict's kind. */
  pairs: Array<{ client: number; relay: number; record: number; clockOffset: ConnectionPair['clockOffset']; kind: ConnectionPair['interference']['kind'] }>;
  /** JSON: each relay connection written, with its record in the relay text spool. */
  relayTexts: Array<[number, number]>;
  /** The rules the pairs' suspects name. */
  ruleIds: string[];
}

/** The work of one share: matched pairs (text, pairs) or client connections with their pairs and the relay's unmatched (JSON). */
export interface ShareWork {
  /** Text and pairs: the matches to judge, in client order. */
  matches: readonly Match[];
  /** JSON: the client connections to write, in id order, each with its match if it has one (then `matches` is unused). */
  clientIds?: readonly number[];
  /** JSON: relay connections no client connection pairs with, to write after. */
  unmatchedRelay?: readonly number[];
}

export interface ShareContext {
  client: ShareCapture;
  relay: ShareCapture;
  pairOpts: PairOptions;
  output: ShareOutput;
  /** Called after each connection or pair (the memory budget's collections, the abort signal). */
  tick(): void;
}

export function judgeShare(work: ShareWork, ctx: ShareContext): ShareResult {
  const { client, relay, output } = ctx;
  const result: ShareResult = { pairs: [], relayTexts: [], ruleIds: [] };
  const ruleIds = new Set<string>();
  const ruleTexts: RuleTexts = {};
  const judge = (m: Match, c: ConnectionReport): ConnectionReport => {
    const r = relay.get(m.relay)!;
    const pair = judgeMatch(m, c, r, ctx.pairOpts);
    for (const x of pair.suspects) ruleIds.add(x.rule);
    const record = output.kind === 'json' ? output.pairTexts.add(output.pair(pair))
      : output.kind === 'text' ? output.pairTexts.add(pairText(pair, client, relay, ruleTexts, ctx.pairOpts.userRules, output.options))
        : output.pairs.add(pair);
    // Only the verdict's kind: the evidence of 22,000 pairs was most of what the pass held.
    result.pairs.push({ client: m.client, relay: m.relay, record, clockOffset: pair.clockOffset, kind: pair.interference.kind });
    return r;
  };
  if (output.kind === 'json' && work.clientIds) {
    // Every connection is read once: each relay connection with the client connection it pairs with.
    const byClient = new Map(work.matches.map((m) => [m.client, m]));
    for (const id of work.clientIds) {
      const c = client.get(id)!;
      const m = byClient.get(id);
      if (m) {
        const r = judge(m, c);
        result.relayTexts.push([r.id, output.relayTexts.add(output.connection(r, output.relayPlan))]);
      }
      output.clientTexts.add(output.connection(c, output.clientPlan));
      ctx.tick();
    }
    for (const id of work.unmatchedRelay ?? []) {
      result.relayTexts.push([id, output.relayTexts.add(output.connection(relay.get(id)!, output.relayPlan))]);
      ctx.tick();
    }
  } else {
    for (const m of work.matches) {
      judge(m, client.get(m.client)!);
      ctx.tick();
    }
  }
  result.ruleIds = [...ruleIds];
  return result;
}

/**
 * A pair's block in the text summary, its verdict line first (one line: the
 * block starts after the first newline). `ruleTexts`: the texts of the rules
 * named so far, added to as pairs name more (a block gives each suspect's title).
 */
export function pairText(pair: ConnectionPair, client: ShareCapture, relay: ShareCapture, ruleTexts: RuleTexts, userRules: PairOptions['userRules'], options: TextOptions): string {
  for (const x of pair.suspects) if (!(x.rule in ruleTexts)) Object.assign(ruleTexts, describeRules([x.rule], userRules));
  return `${verdictLine(pair)}\n${comparePairText(pair, client.brief(pair.client)!, pair.relay === null ? null : relay.brief(pair.relay)!, ruleTexts, options)}`;
}

/** A pairText back as the document's renderedText gives it: its verdict line and its block. */
export function pairTextParts(t: string): { verdict: string; block: string } {
  const at = t.indexOf('\n');
  return { verdict: t.slice(0, at), block: t.slice(at + 1) };
}
