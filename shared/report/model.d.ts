/**
 * What the HTML, Markdown and JSON renderers share: which connections a report
 * shows, the ladder (timeline) rows, field lookups and the plain-words texts.
 * Renderers only decide how things look; what is said lives here, so the three
 * formats can't tell different stories about the same capture.
 */
import type { AnalysisReport, ConnectionReport, Endpoint, MessageReport, SourceLocation } from '../analysis';
import type { CompareReport, ConnectionPair, Interference, PathDirection, Suspect } from '../compare';
import type { Annotation } from '../annotations';
export type Side = 'client' | 'relay';
export interface ReportContext {
    annotations: Annotation[];
    generatedAt: Date;
    /**
     * The bytes of one handshake message (its 4-byte header included, i.e. the
     * stream bytes [span[0], span[1]) of the sender's direction), or null when
     * not available. Enables the hex views. See `hexBytesFromFiles` in hex.ts.
     */
    hexBytes?: (side: Side, connection: number, message: MessageReport) => Uint8Array | null;
    /** Heading of the report; default "TLS handshake report". */
    title?: string;
    /** At most this many connections get a full section (default 50 in HTML, 10 in Markdown); the rest are listed. */
    maxConnections?: number;
    /** At most this many arrows per ladder (default 300 in HTML, 60 in Markdown). */
    maxArrows?: number;
    /** Markdown only: stop adding connections past this many characters (default: under GitHub's 65,536). */
    maxChars?: number;
}
export type ReportInput = CompareReport | AnalysisReport;
/** compare: two captures; single: one capture run through compare; analysis: `analyze` output. */
export type ReportKind = 'compare' | 'single' | 'analysis';
export declare function isCompareReport(r: ReportInput): r is CompareReport;
export declare function normalize(r: ReportInput): {
    kind: ReportKind;
    report: CompareReport;
};
export declare const KIND_WORDS: Record<Interference['kind'], string>;
export declare function directionWords(d: PathDirection, remote?: 'relay' | 'server'): string | null;
export declare function confidenceWords(c: number): string;
/** One sentence: what happened, which way, from which TLS message on. */
export declare function verdictSentence(v: Interference, remote?: 'relay' | 'server'): string;
export declare function endpoint(e: Endpoint | null | undefined): string;
export declare function relTime(t: number, t0: number): string;
export declare function absTime(t: number): string;
export declare function seconds(s: number | null | undefined, digits?: number): string;
export declare function hex(n: number | null | undefined, width?: number): string;
/** tcpdump letters → words a reader without tcpdump knows. */
export declare function flagWords(flags: string): string;
/** What an arrow says: the TLS messages it starts, else the TCP flags that matter. */
export declare function packetLabel(p: {
    flags: string;
    length: number;
    tls: string[];
    notes?: string[];
}): string;
export interface Section {
    /** HTML anchor, unique in the report. */
    anchor: string;
    kind: 'pair' | 'single' | 'unmatched';
    /** Connection in the client capture / relay capture. */
    client: ConnectionReport | null;
    relay: ConnectionReport | null;
    pair: ConnectionPair | null;
    /** For single/unmatched: which capture the connection is from. */
    side: Side;
    verdict: Interference | null;
    suspects: Suspect[];
    /** What the other end is called: "relay" with two captures, "server" with one. */
    remote: 'relay' | 'server';
}
export declare function connectionTitle(s: Section): string;
export declare function serverName(s: Section): string | null;
export declare function buildSections(kind: ReportKind, r: CompareReport): Section[];
/** Keeps the most telling sections when there are too many to show, in their original order. */
export declare function pickSections(all: Section[], max: number): {
    shown: Section[];
    omitted: Section[];
};
/** Which connection (by capture side and id) an annotation belongs to, for placing it in the right section. */
export declare function sectionConnection(s: Section, side: Side): ConnectionReport | null;
export declare function annotationsFor(s: Section, annotations: Annotation[]): Annotation[];
export type ArrowKind = 'delivered' | 'dropped' | 'injected' | 'modified' | 'unseen' | 'observed';
export interface LadderArrow {
    /** right: sent by the client (left lane); left: sent by the relay/server. */
    dir: 'right' | 'left';
    kind: ArrowKind;
    /** The row's time on the client capture's clock: send time, or receive time when the sender's capture lacks it. */
    time: number;
    recvTime: number | null;
    delay: number | null;
    /** Transmissions drawn as this one arrow: 1, or more for a retransmitted segment. */
    count: number;
    lastTime: number;
    label: string;
    flags: string;
    length: number;
    seq: number;
    packets: Array<{
        side: Side;
        index: number;
    }>;
    notes: string[];
    evidence: string[];
}
export interface Ladder {
    lanes: 2 | 3;
    /** Lane titles, left to right. */
    laneNames: string[];
    laneEndpoints: string[];
    /** Rows to draw; `gapAfter` marks where arrows were left out. */
    arrows: LadderArrow[];
    omitted: {
        after: number;
        arrows: number;
        packets: number;
    } | null;
    /** Packets in the connection (the timeline may itself be truncated by the engine). */
    packets: number;
    t0: number;
    engineTruncated: boolean;
}
export declare function buildLadder(s: Section, maxArrows?: number): Ladder;
/** "c4" / "r6–r15": frame numbers as Wireshark shows them (1-based). */
export declare function frameList(packets: LadderArrow['packets']): string;
export declare const ARROW_WORDS: Record<ArrowKind, string>;
export interface FieldValue {
    value: string;
    ranges: SourceLocation[];
}
/**
 * Resolves a field path as used by suspects and annotations
 * (`serverHello.cipherSuite`, `clientHello.extensions[2]`, `certificates[0].notAfter`,
 * `serverKeyExchange.dhPrime`) in one connection.
 */
export declare function lookupField(conn: ConnectionReport | null, field: string): FieldValue | null;
/** Messages worth a hex view: the ones a censor's rules look at on the way back. */
export declare const KEY_MESSAGES: string[];
export declare function findMessage(conn: ConnectionReport | null, name: string, from?: 'client' | 'server'): MessageReport | null;
