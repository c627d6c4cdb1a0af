/**
 * The two-vantage comparison as it leaves the engine: the `compare --json`
 * contract (README), and what the webview's ladder and the reports draw.
 */
import type { AnalysisReport, CONTRACT_SCHEMA, SourceLocation } from './analysis';

export type InterferenceKind = 'none' | 'drop' | 'injected-reset' | 'modified' | 'undetermined';

/** Which way the interfered traffic was going. */
export type PathDirection = 'client-to-relay' | 'relay-to-client' | 'both' | null;

export type PacketStatus = 'delivered' | 'dropped' | 'injected' | 'modified' | 'retransmitted' | 'not-observed';

/** One packet of a matched connection, as seen from one or both ends. */
export interface PairPacket {
  /** Sent by the client or by the relay (server) side. */
  from: 'client' | 'relay';
  status: PacketStatus;
  /** Packet index in the client capture / relay capture, or -1 when that end did not see it. */
  clientIndex: number;
  relayIndex: number;
  /** Times on the client capture's clock (relay times shifted by the estimated offset); NaN (null in JSON) when unseen. @nonFiniteAsNull */
  clientTime: number;
  /** @nonFiniteAsNull */
  relayTime: number;
  /** One-way delay in seconds for delivered packets. */
  delay: number | null;
  flags: string;
  /** Stream offset of the first payload byte in the sender's direction; -1 for a SYN. */
  seq: number;
  length: number;
  /** TLS messages starting in this packet. */
  tls: string[];
  notes: string[];
  /** Why a packet is judged injected: TTL / IP ID / window / timing unlike the peer's genuine packets. */
  evidence?: string[];
}

export interface ClockOffset {
  /** Seconds to add to relay-capture times to put them on the client capture's clock. */
  seconds: number;
  /** Half-width of the plausible range, seconds; Infinity (null in JSON) when unknown. @nonFiniteAsNull */
  uncertainty: number;
  /** How many matched packets the estimate rests on, per direction. */
  samples: { clientToRelay: number; relayToClient: number };
  method: 'two-way-median' | 'one-way-minimum' | 'none';
  /** Typical one-way delay, seconds, when both directions had samples. */
  oneWayDelay: number | null;
}

export interface Interference {
  kind: InterferenceKind;
  direction: PathDirection;
  /** First TLS message that did not get through, e.g. "ServerHello". */
  firstMissingTlsMessage: string | null;
  /** 0..1 */
  confidence: number;
  /** Plain-words evidence, one sentence each. */
  evidence: string[];
}

/**
 * What a rule says in general, written once per document (`rules` of the
 * analysis or comparison, keyed by rule id) instead of with every field it
 * marks: on many short connections the same paragraph repeated per connection
 * was most of a suspect's bytes.
 */
export interface RuleText {
  /** One line: what the rule looks for. */
  title: string;
  /** What the rule looks for and why, in plain words. */
  explanation: string;
  /** Source for the rule: a citation (and URL where one exists). */
  reference: string;
}

/** Rule id → its texts. */
export type RuleTexts = Record<string, RuleText>;

export interface Suspect {
  /** Rule id, e.g. `catalogue.ethiopia-2012-dhe-aes256`; its title, explanation and reference are in the document's `rules`. */
  rule: string;
  /** Field path, e.g. `serverHello.cipherSuite`, `certificates[0].notAfter`, `serverKeyExchange.dhPrime`. */
  field: string;
  /** Which message the field is in (for highlighting). */
  message: string;
  /** 'high' for documented censor matches, 'medium' for divergence, 'low' for traits that stand out. */
  weight: 'high' | 'medium' | 'low';
  /** 1 for the most telling field of the connection, then 2, 3, …: by the evidence named in `reason`. */
  rank: number;
  /** Why this field, in this connection: the case-specific part (the rule's general explanation is in `rules`). */
  reason?: string;
  /** Where the field's bytes are in the capture. In `--json` only with `--ranges` (the language server always sends it). @withRanges */
  range: SourceLocation[];
  /** Decoded value shown with the mark. */
  value?: string;
}

export interface BaselineDiffEntry {
  field: string;
  blocked: string | null;
  baseline: string | null;
  /** False for values that differ between any two connections anyway (randoms, session ids, key shares). */
  distinctive: boolean;
}

export interface ConnectionPair {
  client: number;
  /**
   * Connection id in the relay capture; null when the relay never saw the connection although its capture covers
   * the time (every packet the client sent was dropped on the way: verdict `drop`, `client-to-relay`).
   */
  relay: number | null;
  /** What the match rests on, strongest first, e.g. ["clientHello.random", "initial sequence numbers"]. */
  matchedBy: string[];
  matchScore: number;
  clockOffset: ClockOffset;
  interference: Interference;
  packets: PairPacket[];
  suspects: Suspect[];
  baselineDiff?: BaselineDiffEntry[];
}

export interface CompareReport {
  schema: typeof CONTRACT_SCHEMA;
  tool: { name: string; version: string };
  client: AnalysisReport;
  relay: AnalysisReport | null;
  pairs: ConnectionPair[];
  unmatched: { client: number[]; relay: number[] };
  /**
   * Connections in the relay capture that claim to come from the client (its address as the relay sees it) while
   * the client capture, running at the time, holds nothing of them: forged on the way (or sent by another program
   * of the client's host that its capture did not see). Not in `unmatched.relay`. Absent when there are none.
   */
  spoofed?: Array<{ relay: number; evidence: string[] }>;
  /**
   * Client connections toward the relay that the relay's capture could not have seen: sent before it started or
   * after it stopped (its input's `timeSpan`, with the clock offset). Still in `unmatched.client`: no verdict can be
   * drawn for them. Absent when there are none.
   */
  uncovered?: Array<{ client: number; evidence: string[] }>;
  /** One-capture mode: what a single vantage point can tell, per connection. */
  singleVantage?: Array<{ connection: number; side: 'client' | 'relay'; interference: Interference; suspects: Suspect[] }>;
  /** The texts of every rule a suspect of this document names (also those of `client` and `relay`, which then carry none). */
  rules: RuleTexts;
}
