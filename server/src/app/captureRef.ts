/**
 * A capture as the application service is handed it: the name reports show
 * (`input.path`) and where its bytes are. The CLI names files by the path
 * given; the language server by the file's path, or sends bytes for URIs it
 * cannot open, or the text of an open dump.
 */
import type { AnalysisReport } from '../../../shared/analysis';
import { analyzeData, analyzeFile, type AnalyzeOptions } from '../analysis/analyzeCapture';
import type { ByteOrigin } from '../capture/sourceBytes';

export interface CaptureRef {
  name: string;
  origin: ByteOrigin;
  /** What caches know it by (the editor's URI); default `name`. */
  key?: string;
}

export function fileRef(path: string): CaptureRef {
  return { name: path, origin: { path } };
}

/** The file a ref reads from, if it is one: annotations sidecars live next to it. */
export function refPath(ref: CaptureRef): string | null {
  return 'path' in ref.origin ? ref.origin.path : null;
}

/** Analyses a capture where it is, with no caching (the CLI; the language server adds its cache around this). */
export function analyseRef(ref: CaptureRef, opts: AnalyzeOptions): Promise<AnalysisReport> {
  const o = ref.origin;
  if ('path' in o) return analyzeFile(o.path, opts);
  const bytes = 'data' in o ? o.data : new TextEncoder().encode(o.text);
  return analyzeData(bytes, ref.name, opts);
}
