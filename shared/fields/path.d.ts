/**
 * The one grammar of field paths — `serverHello.cipherSuite`,
 * `certificates[0].lifetimeSeconds`, `clientHello.extensions[*].type` — and
 * the one walker that follows them into a report. Rules, reports, hovers and
 * the webview all name fields this way.
 *
 * User rules name fields with these paths, so resolution only follows a
 * report's own properties (never `__proto__`, `constructor` …) and never
 * throws on a path that does not fit the report.
 */
export type PathSegment = {
    kind: 'key';
    name: string;
} | {
    kind: 'index';
    index: number;
}
/** `[*]`: every element of an array. */
 | {
    kind: 'any';
};
export interface PathError {
    error: string;
    /** Character offset in the path text. */
    at: number;
}
export declare function parseFieldPath(text: string): PathSegment[] | PathError;
export declare function isPathError(p: PathSegment[] | PathError): p is PathError;
export declare function formatFieldPath(segs: readonly PathSegment[]): string;
/** A concrete path as the pattern that names its kind: every index becomes `[*]` (`extensions[3].groups[1]` → `extensions[*].groups[*]`). */
export declare function patternOf(path: string): string;
/** Is `inner` the field `outer` or a field inside it? (`serverHello.extensions[1]` is inside `serverHello.extensions`.) */
export declare function fieldContains(outer: string, inner: string): boolean;
export interface ResolvedField {
    /** Concrete path (wildcards replaced by indexes). */
    path: string;
    value: unknown;
}
/**
 * Every value a path reaches: one for a plain path (none when it leads
 * nowhere), one per element for each `[*]`.
 */
export declare function resolveField(root: unknown, path: string | readonly PathSegment[]): ResolvedField[];
/**
 * The value at a path: for a path with `[*]` the list of every reached value
 * (so `clientHello.extensions[*].type` reads as the extension types in wire
 * order); undefined when the path leads nowhere.
 */
export declare function getField(root: unknown, path: string | readonly PathSegment[]): unknown;
/**
 * The value at a decoder's range key (`extensions[2].selected`,
 * `extensions[6].groupsList`) below a hello: range keys name an extension's
 * decoded members directly, the report keeps them under `.data`, and a
 * `…List` key is the vector as a whole.
 */
export declare function valueAtKey(owner: unknown, key: string): unknown;
