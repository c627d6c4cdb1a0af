/**
 * compare's text summary of two capture files, judged while both are
 * analysed (issue #16: compare within 3× of analysing both). Both analyses
 * run on this thread at once; a connection whose partner in the other capture
 * is already in (same ClientHello random and a score no replay reaches) is
 * judged there and then, and both reports are let go. Writing every report
 * to disk and reading it back (streamedCompare.ts) was most of the time of a
 * big comparison, more than the analyses themselves.
 *
 * Pairing this early is a guess the whole-capture matching must confirm: at
 * the end the connections are matched as compareReports matches them, and if
 * any early pair is not one of those matches, null is returned and the caller
 * compares the spooled way. The output is byte for byte the spooled one's
 * (test/engine/streamedCompare.test.ts).
 *
 * Memory stays bounded: reports waiting for a partner are held up to a count,
 * past which the oldest go to disk; and the side that runs ahead (its
 * connections waiting for the other's) pauses until the other catches up.
 * Both scale with the run's memory budget (`--max-memory`).
 */
import type { AnalysisReport, ConnectionReport } from '../../../shared/analysis';
import type { CompareReport, ConnectionPair, RuleTexts } from '../../../shared/compare';
import { CONTRACT_SCHEMA } from '../../../shared/analysis';
import type { AnalyzeOptions } from '../analysis/analyzeCapture';
import type { TextOptions } from '../output/textSummary';
import { RecordSpool, TEXT_CODEC } from '../util/recordSpool';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import { addUnseen, heldRules, judgeMatch, naming, unseenPair, type PairOptions } from './compareCaptures';
import type { CaptureSide } from './compareDocument';
import { connectionBrief, type ConnectionBrief } from './connectionBrief';
import { pairText, pairTextParts, type ShareCapture } from './judgeShare';
import { matchConnections, matchFacts, matchKeys, pairScore, type Match, type MatchFacts } from './matchConnections';
import { REPORT_CODEC } from './reportSpoolCodec';
import type { StreamedCompare } from './streamedCompare';
import { unseenConnections, type JudgedMatch } from './unseenConnections';

/** The least score an early pair needs: the random (100) and an initial sequence number (40); a replayed ClientHello has only the random. */
const EARLY_SCORE = 140;
/**
 * Reports held in memory in all, past which the oldest go to disk (~13 kB
 * each): 4,096 (~53 MB) with the default 512 MiB budget, in proportion to a
 * smaller one.
 */
function holdFor(maxMemoryMB = 512): number {
  return Math.max(256, Math.min(4096, Math.floor(maxMemoryMB * 8)));
}

/** One capture's connections as they come in: all their facts and briefs, and the reports still waiting for a partner. */
class Side implements ShareCapture {
  facts: MatchFacts[] = [];
  briefs: ConnectionBrief[] = [];
  private readonly briefById = new Map<number, ConnectionBrief>();
  readonly factsById = new Map<number, MatchFacts>();
  /** Reports not judged yet, in memory (oldest first) or on disk. */
  readonly held = new Map<number, ConnectionReport>();
  private readonly spilled = new Map<number, number>();
  private spool: RecordSpool<ConnectionReport> | null = null;
  /** Waiting connections by ClientHello random with either initial sequence number (what an early pair must share). */
  private readonly byKey = new Map<string, Set<number>>();
  analysis: AnalysisReport | null = null;
  done = false;
  /** Resolves the analysis' pause, while it waits for the other side. */
  resume: (() => void) | null = null;

  constructor(readonly name: CaptureSide, private readonly spools: Array<RecordSpool<unknown>>) {}

  get waiting(): number {
    return this.held.size + this.spilled.size;
  }

  arrive(c: ConnectionReport): MatchFacts {
    const f = matchFacts(c);
    this.facts.push(f);
    this.factsById.set(c.id, f);
    const b = connectionBrief(c);
    this.briefs.push(b);
    this.briefById.set(c.id, b);
    return f;
  }

  hold(c: ConnectionReport, f: MatchFacts): void {
    this.held.set(c.id, c);
    for (const k of earlyKeys(f)) {
      const set = this.byKey.get(k);
      if (set) set.add(c.id);
      else this.byKey.set(k, new Set([c.id]));
    }
  }

  /** The waiting connections an early pair with a connection of these facts could be. */
  candidates(f: MatchFacts): Set<number> {
    const out = new Set<number>();
    for (const k of earlyKeys(f)) for (const id of this.byKey.get(k) ?? []) out.add(id);
    return out;
  }

  *waitingIds(): Generator<number> {
    yield* this.held.keys();
    yield* this.spilled.keys();
  }

  /** The oldest report held in memory goes to disk. */
  spillOldest(): void {
    const first = this.held.entries().next();
    if (first.done) return;
    const [id, c] = first.value;
    if (!this.spool) {
      this.spool = new RecordSpool<ConnectionReport>(`${this.name}-waiting`, REPORT_CODEC);
      this.spools.push(this.spool as RecordSpool<unknown>);
    }
    this.spilled.set(id, this.spool.add(c));
    this.held.delete(id);
  }

  /** A waiting report, taken out (it is judged now). */
  take(id: number): ConnectionReport | undefined {
    for (const k of earlyKeys(this.factsById.get(id)!)) {
      const set = this.byKey.get(k);
      set?.delete(id);
      if (set?.size === 0) this.byKey.delete(k);
    }
    const c = this.held.get(id);
    if (c) {
      this.held.delete(id);
      return c;
    }
    const at = this.spilled.get(id);
    if (at === undefined) return undefined;
    this.spilled.delete(id);
    return this.spool!.get(at);
  }

  /** A waiting report, left waiting (the unseen-connection search reads some twice). */
  get(id: number): ConnectionReport | undefined {
    const c = this.held.get(id);
    if (c) return c;
    const at = this.spilled.get(id);
    return at === undefined ? undefined : this.spool!.get(at);
  }

  brief(id: number): ConnectionBrief | undefined {
    return this.briefById.get(id);
  }

  finished(analysis: AnalysisReport): void {
    this.analysis = analysis;
    this.done = true;
    this.facts.sort((a, b) => a.id - b.id);
    this.briefs.sort((a, b) => a.id - b.id);
  }
}

function waitingKeys(side: Side): Set<string> {
  const out = new Set<string>();
  for (const id of side.waitingIds()) for (const k of matchKeys(side.factsById.get(id)!)) out.add(k);
  return out;
}

function sharesKey(f: MatchFacts, keys: Set<string>): boolean {
  return matchKeys(f).some((k) => keys.has(k));
}

/** What an early pair shares: the ClientHello random and an initial sequence number (none without a random). */
function earlyKeys(f: MatchFacts): string[] {
  if (!f.random) return [];
  const keys: string[] = [];
  if (f.isnClient !== null) keys.push(`c${f.random}/${f.isnClient}`);
  if (f.isnServer !== null) keys.push(`s${f.random}/${f.isnServer}`);
  return keys;
}

/** A pair judged, by where its text block is. */
interface Judged {
  client: number;
  relay: number;
  score: number;
  record: number;
  clockOffset: ConnectionPair['clockOffset'];
  kind: ConnectionPair['interference']['kind'];
}

/**
 * The comparison of two capture files with its text summary's pair blocks
 * written as judged, or null when the early pairs were not all confirmed
 * (nothing is left open then).
 */
export async function compareAsAnalysed<S>(
  clientSource: S, relaySource: S, analyse: (source: S, opts: AnalyzeOptions) => Promise<AnalysisReport>,
  base: AnalyzeOptions, opts: { pairOpts: PairOptions; renderText: TextOptions; signal?: AbortSignal; onProgress?(side: CaptureSide, read: number, total: number): void },
): Promise<StreamedCompare | null> {
  const spools: Array<RecordSpool<unknown>> = [];
  const closeAll = () => { for (const s of spools) s.close(); };
  const hold = holdFor(base.maxMemoryMB);
  // Reports one side has waiting past which it pauses, if it is ahead of the other.
  const gate = Math.min(512, hold / 4);
  const texts = new RecordSpool<string>('pair-texts', TEXT_CODEC);
  spools.push(texts as RecordSpool<unknown>);
  try {
    const client = new Side('client', spools);
    const relay = new Side('relay', spools);
    const payloadIds = new Map<string, number>();
    const early = new Map<number, Judged>();
    const ruleIds = new Set<string>();
    const ruleTexts: RuleTexts = {};
    const judge = (m: Match, c: ConnectionReport, r: ConnectionReport): Judged => {
      const pair = judgeMatch(m, c, r, opts.pairOpts);
      for (const x of pair.suspects) ruleIds.add(x.rule);
      const record = texts.add(pairText(pair, client, relay, ruleTexts, opts.pairOpts.userRules, opts.renderText));
      return { client: c.id, relay: r.id, score: m.score, record, clockOffset: pair.clockOffset, kind: pair.interference.kind };
    };
    // Once the client's analysis is done: every matching key of its connections still waiting.
    let clientKeys: Set<string> | null = null;
    const other = (s: Side) => (s === client ? relay : client);
    const wake = (s: Side) => {
      if (s.resume && (s.waiting <= gate / 2 || other(s).done)) {
        const r = s.resume;
        s.resume = null;
        r();
      }
    };
    const arrive = (s: Side) => (c: ConnectionReport) => {
      const f = s.arrive(c);
      const o = other(s);
      // Its best partner among the other side's waiting connections with the same random and an initial sequence
      // number, if that one is unmistakable.
      let best: { id: number; score: number; matchedBy: string[] } | null = null;
      let tied = false;
      for (const id of o.candidates(f)) {
        const of = o.factsById.get(id)!;
        const x = s === client ? pairScore(f, of, payloadIds) : pairScore(of, f, payloadIds);
        if (best === null || x.score > best.score) {
          best = { id, ...x };
          tied = false;
        } else if (x.score === best.score) tied = true;
      }
      if (best && !tied && best.score >= EARLY_SCORE) {
        const partner = o.take(best.id)!;
        const [cr, rr] = s === client ? [c, partner] : [partner, c];
        early.set(cr.id, judge({ client: cr.id, relay: rr.id, score: best.score, matchedBy: best.matchedBy }, cr, rr));
      } else if (s === relay && client.done && !sharesKey(f, clientKeys ??= waitingKeys(client))) {
        // Nothing the client capture has left unpaired shares a key with it: no match can need its report.
      } else {
        s.hold(c, f);
        while (client.held.size + relay.held.size > hold) (client.held.size >= relay.held.size ? client : relay).spillOldest();
      }
      wake(o);
    };
    // The side ahead waits while it has many connections waiting and the other side fewer (never both at once).
    const backpressure = (s: Side) => () => {
      const o = other(s);
      if (s.waiting <= gate || s.waiting <= o.waiting || o.done || o.resume) return undefined;
      return new Promise<void>((resolve) => { s.resume = resolve; });
    };
    const stop = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
    const run = (s: Side, source: S) => naming(s.name, async () => {
      try {
        s.finished(await analyse(source, { ...base, signal, onConnection: arrive(s), backpressure: backpressure(s), onProgress: (a, b) => opts.onProgress?.(s.name, a, b) }));
      } catch (e) {
        // The other analysis is not left running (or waiting for this one); it ends as cancelled, this error is the one said.
        stop.abort();
        throw e;
      } finally {
        s.done = true;
        wake(other(s));
      }
    });
    await Promise.all([run(client, clientSource), run(relay, relaySource)]);

    // The whole-capture matching: every early pair must be one of its matches.
    const { matches, unmatchedClient, unmatchedRelay } = matchConnections(client.facts, relay.facts);
    client.facts = [];
    relay.facts = [];
    let confirmed = 0;
    for (const m of matches) {
      const e = early.get(m.client);
      if (!e) continue;
      if (e.relay !== m.relay || e.score !== m.score) {
        closeAll();
        return null;
      }
      confirmed++;
    }
    if (confirmed !== early.size) {
      closeAll();
      return null;
    }
    const judged: JudgedMatch[] = [];
    const order: Array<{ client: number; record: number }> = [];
    for (const m of matches) {
      let j = early.get(m.client);
      if (!j) {
        const c = client.take(m.client);
        const r = relay.take(m.relay);
        // Not held: let go as unmatchable, which the matching says it is not (then the spooled way).
        if (!c || !r) {
          closeAll();
          return null;
        }
        j = judge(m, c, r);
      }
      order.push({ client: j.client, record: j.record });
      judged.push({ client: client.brief(j.client)!, relay: relay.brief(j.relay)!, clockOffset: j.clockOffset, interference: { kind: j.kind } });
    }
    const unseen = unseenConnections({ input: client.analysis!.input, connections: client.briefs }, { input: relay.analysis!.input, connections: relay.briefs },
      judged, unmatchedClient, unmatchedRelay, (id) => client.get(id)!);
    for (const u of unseen.pairs) {
      const pair = unseenPair(u, opts.pairOpts);
      for (const x of pair.suspects) ruleIds.add(x.rule);
      order.push({ client: pair.client, record: texts.add(pairText(pair, client, relay, ruleTexts, opts.pairOpts.userRules, opts.renderText)) });
    }
    order.sort((a, b) => a.client - b.client);
    const head: CompareReport = {
      schema: CONTRACT_SCHEMA, tool: { name: TOOL_NAME, version: TOOL_VERSION }, client: client.analysis!, relay: relay.analysis!,
      pairs: [], unmatched: { client: [], relay: [] }, rules: {},
    };
    addUnseen(head, unseen);
    head.rules = heldRules(head, ruleIds, opts.pairOpts.userRules);
    const side = (s: CaptureSide) => (s === 'client' ? client : relay);
    return {
      head,
      pairCount: order.length,
      pairs() {
        throw new Error('this comparison was written as text while judged: read renderedText');
      },
      connectionCount: (s) => side(s).briefs.length,
      connections() {
        throw new Error('this comparison keeps no connections: read endpoints');
      },
      endpoints: (s, id) => side(s).brief(id),
      get spooledBytes() { return spools.reduce((n, x) => n + x.bytes, 0); },
      judgedOn: 1,
      judgedEarly: early.size,
      close: closeAll,
      *renderedText() {
        for (const o of order) yield pairTextParts(texts.get(o.record));
      },
    };
  } catch (e) {
    closeAll();
    throw e;
  }
}
