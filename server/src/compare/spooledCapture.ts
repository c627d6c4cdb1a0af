import type { AnalysisReport, ConnectionReport } from '../../../shared/analysis';
import { RecordSpool, type SpoolRecords } from '../util/recordSpool';
import type { CaptureSide } from './compareDocument';
import { connectionBrief, type CaptureBriefs, type ConnectionBrief } from './connectionBrief';
import { matchFacts, type MatchFacts } from './matchConnections';

export interface SpooledCaptureResult {
  records: SpoolRecords;
  /** Connection id of each record. */
  ids: number[];
  facts: MatchFacts[];
  briefs: ConnectionBrief[];
  certificates: Array<{ id: number; certificates: string[] }>;
  analysis: AnalysisReport;
}

/** One capture's connections on disk, with their facts and briefs in memory. */
export class SpooledCapture {
  readonly spool: RecordSpool<ConnectionReport>;
  private readonly record = new Map<number, number>();
  facts: MatchFacts[] = [];
  briefs: ConnectionBrief[] = [];
  /** Each connection's certificate hashes (the strings are the certificate cache's, shared): what PlannedCertificates needs. */
  certificates: Array<{ id: number; certificates: string[] }> = [];
  private readonly briefById = new Map<number, ConnectionBrief>();
  analysis: AnalysisReport | null = null;
  /** Keep each connection's certificate hashes (only compare --json writes certificate references). */
  wantsCertificates = false;

  /** `into`: the file of the main thread's spool, for a worker thread writing it. */
  constructor(side: CaptureSide, into?: string) {
    this.spool = new RecordSpool<ConnectionReport>(side, undefined, into);
  }

  /** Takes what a worker thread analysed into this capture's spool (compareAnalysisWorker.ts). */
  adopt(r: SpooledCaptureResult): void {
    this.spool.adopt(r.records);
    r.ids.forEach((id, i) => this.record.set(id, i));
    this.facts = r.facts;
    this.briefs = r.briefs;
    for (const b of r.briefs) this.briefById.set(b.id, b);
    this.certificates = r.certificates;
    this.finished(r.analysis);
  }

  /** What a worker thread hands back: everything but the spool's file, which the main thread's SpooledCapture owns. */
  result(analysis: AnalysisReport): SpooledCaptureResult {
    const ids: number[] = new Array(this.record.size);
    for (const [id, i] of this.record) ids[i] = id;
    return { records: this.spool.finish(), ids, facts: this.facts, briefs: this.briefs, certificates: this.certificates, analysis };
  }

  add(c: ConnectionReport): void {
    this.record.set(c.id, this.spool.add(spoolForm(c)));
    this.facts.push(matchFacts(c));
    const b = connectionBrief(c);
    this.briefs.push(b);
    this.briefById.set(c.id, b);
    if (this.wantsCertificates) this.certificates.push({ id: c.id, certificates: c.certificates.map((x) => x.sha256).filter((x): x is string => !!x) });
  }

  /** After the analysis: connections finish in any order, the document lists them by id. */
  finished(analysis: AnalysisReport): void {
    this.analysis = analysis;
    this.facts.sort((a, b) => a.id - b.id);
    this.briefs.sort((a, b) => a.id - b.id);
    this.certificates.sort((a, b) => a.id - b.id);
  }

  get(id: number): ConnectionReport | undefined {
    const at = this.record.get(id);
    return at === undefined ? undefined : this.spool.get(at);
  }

  brief(id: number): ConnectionBrief | undefined {
    return this.briefById.get(id);
  }

  *inOrder(): Generator<ConnectionReport> {
    for (const b of this.briefs) yield this.spool.get(this.record.get(b.id)!);
  }

  view(): CaptureBriefs {
    return { input: this.analysis!.input, connections: this.briefs };
  }
}

type Hello = NonNullable<ConnectionReport['clientHello'] | ConnectionReport['serverHello'] | ConnectionReport['serverKeyExchange']>;
const HELLOS = ['clientHello', 'serverHello', 'serverKeyExchange'] as const;

/**
 * The connection as it is written to disk: its hellos as plain copies. A
 * hello's `ranges` is an accessor (output/sourceRanges.ts), which sends V8's
 * serializer down its slow path for the whole object: half the time of
 * writing a connection went to its ClientHello. A hello held both by the
 * connection and by its message stays one object (the JSON writer tells
 * them apart by identity).
 */
function spoolForm(c: ConnectionReport): ConnectionReport {
  const copies = new Map<Hello, Hello>();
  const plain = <T extends Hello>(h: T): T => {
    let x = copies.get(h);
    if (!x) copies.set(h, x = { ...h });
    return x as T;
  };
  const out: ConnectionReport = { ...c };
  for (const k of HELLOS) if (c[k]) (out as unknown as Record<string, Hello>)[k] = plain(c[k]!);
  out.messages = c.messages.map((m) => {
    if (!m.clientHello && !m.serverHello && !m.serverKeyExchange) return m;
    const copy = { ...m };
    for (const k of HELLOS) if (m[k]) (copy as unknown as Record<string, Hello>)[k] = plain(m[k]!);
    return copy;
  });
  return out;
}
