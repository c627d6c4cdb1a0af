/**
 * A user's note on a capture as the reports and the webview handle it. The
 * sidecar file that stores them is read and written by the engine
 * (server/src/report/annotations.ts); these are only its shapes.
 */

export type AnnotationTarget =
  /** 0-based packet index in that capture (frame number − 1), as in the JSON reports. */
  | { kind: 'packet'; packet: number }
  /** Field path as in reports and suspects, e.g. `serverHello.cipherSuite`, `certificates[0].notAfter`. */
  | { kind: 'field'; connection: number; field: string }
  | { kind: 'connection'; connection: number };

/** One note as stored in the sidecar. */
export interface AnnotationNote {
  id: string;
  target: AnnotationTarget;
  text: string;
  author?: string;
  /** ISO 8601. */
  created: string;
}

/** A note as handed to the report renderers: which capture of a comparison it belongs to. */
export interface Annotation extends AnnotationNote {
  /** Default 'client' (the capture of a single-capture report is the client one). */
  side?: 'client' | 'relay';
}
