import type { AnalyzeOptions } from '../analysis/analyzeCapture';
import type { ConnectionReport } from '../../../shared/analysis';
import type { JsonOptions } from '../output/jsonContract';
import type { TextOptions } from '../output/textSummary';
import type { SpoolRecords } from '../util/recordSpool';
import type { CaptureSide } from './compareDocument';
import type { ConnectionBrief } from './connectionBrief';
import type { ShareResult, ShareWork } from './judgeShare';
import type { SpooledCaptureResult } from './spooledCapture';

/** The bundle compareAnalysisWorker.ts becomes, next to the one that starts it (dist/, or out/ for the tests). */
export const COMPARE_WORKER = 'compareAnalysisWorker.js';

/** What the thread is for: the relay's analysis, or a share of the judging (it then waits for a JudgeRequest). */
export type CompareWorkerData = AnalyseData | { task: 'judge' };

/** What the analysis in the worker takes: the options that cross a thread (no callbacks, no caches, no signal). */
export interface AnalyseData {
  task: 'analyse';
  side: CaptureSide;
  path: string;
  spoolPath: string;
  wantsCertificates: boolean;
  options: Pick<AnalyzeOptions, 'ja4plus' | 'maxMemoryMB' | 'keyLogFiles' | 'includeSecrets' | 'keepRanges' | 'collectSlackMB'>;
}

/** A capture's spool as another thread reads it, with its briefs and (for JSON) each connection's certificate hashes. */
export interface SpooledSide {
  path: string;
  records: SpoolRecords;
  ids: number[];
  briefs: ConnectionBrief[];
  certificates: Array<{ id: number; certificates: string[] }>;
}

/**
 * The worker's share of the judging (judgeShare.ts), after its analysis: the
 * client capture's spool to read, and the spools (made and removed by the
 * main thread) to write into.
 */
export interface JudgeRequest {
  kind: 'judge';
  work: ShareWork;
  client: SpooledSide;
  relay: SpooledSide;
  output: { kind: 'json'; options: JsonOptions } | { kind: 'text'; options: TextOptions } | { kind: 'pairs' };
  /** Paths of the spools the share writes: its pairs (or their texts), and with JSON its connections' texts. */
  spools: { pairs: string; clientTexts?: string; relayTexts?: string };
  baselineConnection: ConnectionReport | null;
  maxMemoryMB?: number;
}

export type CompareWorkerRequest = JudgeRequest;

export type CompareWorkerMessage =
  | { kind: 'progress'; read: number; total: number }
  | { kind: 'done'; result: SpooledCaptureResult }
  | { kind: 'judged'; result: ShareResult; spools: { pairs: SpoolRecords; clientTexts?: SpoolRecords; relayTexts?: SpoolRecords } }
  | { kind: 'error'; name: string; message: string };
