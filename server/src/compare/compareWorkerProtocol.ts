import type { AnalyzeOptions } from '../analysis/analyzeCapture';
import type { CaptureSide } from './compareDocument';
import type { SpooledCaptureResult } from './spooledCapture';

/** The bundle compareAnalysisWorker.ts becomes, next to the one that starts it (dist/, or out/ for the tests). */
export const COMPARE_WORKER = 'compareAnalysisWorker.js';

/** What the analysis in the worker takes: the options that cross a thread (no callbacks, no caches, no signal). */
export interface CompareWorkerData {
  side: CaptureSide;
  path: string;
  spoolPath: string;
  wantsCertificates: boolean;
  options: Pick<AnalyzeOptions, 'ja4plus' | 'maxMemoryMB' | 'keyLogFiles' | 'includeSecrets' | 'keepRanges' | 'collectSlackMB'>;
}

export type CompareWorkerMessage =
  | { kind: 'progress'; read: number; total: number }
  | { kind: 'done'; result: SpooledCaptureResult }
  | { kind: 'error'; name: string; message: string };
