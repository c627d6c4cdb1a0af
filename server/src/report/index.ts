export { renderHtml, CSP } from './html';
export { renderMarkdown, textTimeline } from './markdown';
export { renderJson, buildJsonReport, REPORT_FORMAT, REPORT_FORMAT_VERSION, type JsonReport } from './json';
export { hexBytesFromFiles, messageRelativeSpans } from './hex';
export type { ReportContext, ReportInput, ReportKind, Side } from '../../../shared/report/model';
export {
  loadAnnotations, saveAnnotations, addAnnotation, loadReportAnnotations, parseAnnotationsText, sidecarPath,
  type Annotation, type AnnotationNote, type AnnotationTarget, type AnnotationProblem, type LoadedAnnotations,
} from './annotations';
export { escapeHtml, escapeMarkdown, escapeXmlAttr, markdownCodeBlock } from './escape';
