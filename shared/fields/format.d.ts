/** The IANA registries that name a field's numbers. */
export type NameRegistry = 'cipherSuite' | 'version' | 'namedGroup' | 'signatureScheme' | 'extensionType' | 'ecPointFormat' | 'ecCurveType';
export declare const NAMERS: Readonly<Record<NameRegistry, (n: number) => string>>;
export declare function hex4(n: number): string;
/** A registry number with its name: `TLS 1.2 (0x0303)`; one-byte code points read in decimal (`uncompressed (0)`). */
export declare function named(names: NameRegistry, n: number): string;
/** Long hex (keys, primes) cut for the page; the JSON report has it whole. */
export declare function shortHex(h: string): string;
/** A list as words; `(none)` when empty. */
export declare function list(xs: readonly string[]): string;
/**
 * A value with nothing known about its field: numbers named when `names` is
 * given, text as is, hex cut, lists joined. Undefined and null (absent,
 * not applicable) read as null: the caller shows no value.
 */
export declare function plainValue(v: unknown, names?: NameRegistry): string | null;
