import type { AnalysisReport, ConnectionReport } from '../../../shared/analysis';
import { RecordSpool, type SpoolRecords } from '../util/recordSpool';
import type { CaptureSide } from './compareDocument';
import { connectionBrief, type CaptureBriefs, type ConnectionBrief } from './connectionBrief';
import { matchFacts, type MatchFacts } from './matchConnections';
import { REPORT_CODEC } from './reportSpoolCodec';

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
    this.spool = new RecordSpool<ConnectionReport>(side, REPORT_CODEC, into);
  }

  /**
   * A capture another thread spooled, to read: each side's, in the second
   * thread for its share of the judging (judgeShare.ts).
   */
  static reading(side: CaptureSide, path: string, records: SpoolRecords, ids: readonly number[], briefs: ConnectionBrief[]): SpooledCapture {
    const c = new SpooledCapture(side, path);
    c.spool.adopt(records);
    ids.forEach((id, i) => c.record.set(id, i));
    c.briefs = briefs;
    for (const b of briefs) c.briefById.set(b.id, b);
    return c;
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
    return { records: this.spool.finish(), ids: this.ids(), facts: this.facts, briefs: this.briefs, certificates: this.certificates, analysis };
  }

  /** Connection id of each record. */
  ids(): number[] {
    const ids: number[] = new Array(this.record.size);
    for (const [id, i] of this.record) ids[i] = id;
    return ids;
  }

  add(c: ConnectionReport): void {
    this.record.set(c.id, this.spool.add(c));
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
