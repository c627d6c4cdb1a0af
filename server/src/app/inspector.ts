/**
 * The application service: what a user can ask of Handshake Inspector —
 * compare captures, write a report, list and add notes, read capture bytes —
 * in one place, used by both the CLI and the language server. They used to
 * have a compare / report / export path each, and disagreed (the editor's
 * export left out the relay's notes and never checked a sidecar's SHA-256).
 *
 * Analysing one capture is the caller's to provide (`analyse`): the CLI reads
 * the file each time, the language server keeps a cache and the models of
 * open text dumps. Everything past that is decided here.
 */
import type { AnalysisReport } from '../../../shared/analysis';
import type { CompareReport } from '../../../shared/compare';
import type { ReportFormat } from '../../../shared/reportFormat';
import type { AnalyzeOptions } from '../analysis/analyzeCapture';
import { SourceBytes, type LocatedBytes } from '../capture/sourceBytes';
import type { SourceLocation } from '../capture/source';
import { compareSources, type BaselineSpec, type CompareOptions } from '../compare/compareCaptures';
import { compareStreamed, type StreamedCompare, type StreamedCompareOptions } from '../compare/streamedCompare';
import type { AddResult, AnnotationNote, AnnotationProblem, NewAnnotation } from '../report/annotations';
import { analyseRef, refPath, type CaptureRef } from './captureRef';
import { withFileNames } from './reportPaths';

export type Analyse = (ref: CaptureRef, opts: AnalyzeOptions) => Promise<AnalysisReport>;

/** The engine's compare options, with the baseline named as a capture the service can open. */
export type CompareRequestOptions = Omit<CompareOptions, 'baseline'> & { baseline?: BaselineSpec<CaptureRef> };

export interface RenderedReport {
  text: string;
  /** The sidecars' errors and warnings (a note for other capture bytes …): to tell the user, not fatal. */
  problems: AnnotationProblem[];
}

export interface ReportOptions {
  generatedAt?: Date;
  /** Write the captures' paths as given; by default a report names each by its file name (reportPaths.ts). */
  fullPaths?: boolean;
}

/** The captures a report was made from, to read notes and message bytes back from. */
export interface ReportSources {
  client: CaptureRef;
  relay: CaptureRef | null;
}

/**
 * Open byte sources kept for repeated reads (a hex pane asks once per
 * message). A compressed one holds its inflated bytes (at most
 * MAX_INFLATED_BYTES), so few are kept: what is held stays bounded.
 */
const OPEN_SOURCES = 2;

export class Inspector {
  private readonly open = new Map<string, { stamp: string; bytes: SourceBytes }>();

  constructor(private readonly analyse: Analyse = analyseRef) {}

  /** Matches and compares a client's and a relay's capture (relay null: what one vantage point can tell). */
  compare(client: CaptureRef, relay: CaptureRef | null, opts: CompareRequestOptions = {}): Promise<CompareReport> {
    return compareSources(client, relay, this.analyse, opts);
  }

  /**
   * The same comparison with its connections and pairs on disk, read back one
   * at a time by the writers (compare --json, the text summary): any size of
   * capture within the memory budget. close() it when written.
   */
  compareStreamed(client: CaptureRef, relay: CaptureRef | null, opts: CompareRequestOptions & Pick<StreamedCompareOptions<CaptureRef>, 'render' | 'renderText'> = {}): Promise<StreamedCompare> {
    // Files the default analysis reads are analysed on two threads at once (streamedCompare.ts).
    return compareStreamed(client, relay, this.analyse, { ...opts, filePath: this.analyse === analyseRef ? refPath : undefined });
  }

  /**
   * A comparison written as an annotated report. Notes come from both
   * captures' sidecars, each checked against its capture's SHA-256; message
   * bytes for the hex views are read at their offsets in uncompressed binary
   * captures (never the whole file). Every format names the captures the
   * same way: by file name unless `fullPaths`.
   */
  async report(report: CompareReport, sources: ReportSources, format: ReportFormat, opts: ReportOptions = {}): Promise<RenderedReport> {
    // Loaded when first needed: the CLI's other commands and the server's start-up don't pay for the renderers.
    const [{ loadReportAnnotations }, { hexBytesFromReaders }, { renderHtml }, { renderMarkdown }, { renderJson }] = await Promise.all([
      import('../report/annotations'), import('../report/hex'), import('../report/html'), import('../report/markdown'), import('../report/json'),
    ]);
    const loaded = await loadReportAnnotations(refPath(sources.client), sources.relay ? refPath(sources.relay) : null, {
      client: report.client.input.sha256, relay: report.relay?.input.sha256,
    });
    const client = messageBytes(sources.client, report.client);
    const relay = sources.relay && report.relay ? messageBytes(sources.relay, report.relay) : null;
    try {
      const ctx = { annotations: loaded.annotations, generatedAt: opts.generatedAt ?? new Date(), hexBytes: hexBytesFromReaders({ client: client?.reader(), relay: relay?.reader() }) };
      const shown = opts.fullPaths ? report : withFileNames(report);
      const text = format === 'html' ? renderHtml(shown, ctx) : format === 'md' ? renderMarkdown(shown, ctx) : renderJson(shown, ctx);
      return { text, problems: loaded.problems };
    } finally {
      client?.close();
      relay?.close();
    }
  }

  /**
   * The notes of one capture, for an editor to list. The sidecar is not
   * checked against the capture's SHA-256 unless the caller has it: hashing
   * a gigabyte capture to list its notes would stall the view.
   */
  async notes(ref: CaptureRef, captureSha256: string | null = null): Promise<{ notes: AnnotationNote[]; problems: AnnotationProblem[]; sidecar: string | null }> {
    const path = refPath(ref);
    if (!path) return { notes: [], problems: [], sidecar: null };
    const { loadAnnotations, sidecarPath } = await import('../report/annotations');
    const l = await loadAnnotations(path, { captureSha256 });
    return { notes: l.notes, problems: [...l.errors, ...l.warnings], sidecar: sidecarPath(path) };
  }

  /** Adds a note to the capture's sidecar; only files have one. */
  async annotate(ref: CaptureRef, note: NewAnnotation): Promise<AddResult> {
    const path = refPath(ref);
    if (!path) throw new Error('annotations are kept next to the capture file: only files can be annotated');
    const { addAnnotation } = await import('../report/annotations');
    return addAnnotation(path, note);
  }

  /**
   * Capture bytes at some locations, at most `limit` of them, for a hex
   * pane: offsets in binary captures (a compressed one is inflated, once,
   * within a bound), hex digits in text dumps. Null when they are not there.
   * `stamp` identifies the capture's current content (size and mtime): a
   * changed file is opened again.
   */
  readBytes(ref: CaptureRef, locs: readonly SourceLocation[], limit: number, stamp: string | null): LocatedBytes | null {
    let entry = stamp === null ? undefined : this.open.get(ref.name);
    if (entry && entry.stamp !== stamp) {
      entry.bytes.close();
      this.open.delete(ref.name);
      entry = undefined;
    }
    if (!entry) {
      entry = { stamp: stamp ?? '', bytes: new SourceBytes(ref.origin, { inflate: true }) };
      if (stamp === null) {
        try {
          return entry.bytes.read(locs, limit);
        } finally {
          entry.bytes.close();
        }
      }
      this.open.set(ref.name, entry);
      if (this.open.size > OPEN_SOURCES) {
        const [oldest, e] = this.open.entries().next().value as [string, { bytes: SourceBytes }];
        e.bytes.close();
        this.open.delete(oldest);
      }
    }
    return entry.bytes.read(locs, limit);
  }

  /** Closes what readBytes kept open. */
  dispose(): void {
    for (const e of this.open.values()) e.bytes.close();
    this.open.clear();
  }
}

/** Message bytes (report hex views, dissection raw values) come from uncompressed binary captures only, as they always have. */
export function messageBytes(ref: CaptureRef, analysis: AnalysisReport): SourceBytes | null {
  const i = analysis.input;
  if (i.compressed || (i.format !== 'pcap' && i.format !== 'pcapng')) return null;
  return new SourceBytes(ref.origin);
}
