import { type NameRegistry } from './format';
export type MessageName = 'ClientHello' | 'ServerHello' | 'ServerKeyExchange' | 'Certificate';
export interface FieldDescriptor {
    /** Path in the grammar of path.ts, `[*]` for any index: `clientHello.extensions[*].type`. */
    path: string;
    label: string;
    /** The handshake message whose bytes hold the field; null for fields of no one message. */
    message: MessageName | null;
    /** The IANA registry naming its numbers. */
    names?: NameRegistry;
    /** How its value reads when the plain rule (plainValue) would not do; null: nothing to show. */
    show?: (value: unknown, holder: unknown) => string | null;
    /** A value the report does not keep but the bytes hold (length prefixes), from the object that holds the field. */
    derive?: (holder: unknown) => unknown;
    /** Name of one element of a list field (`extensions[3]` is "server_name"); default `[3]`. */
    itemLabel?: (item: unknown, index: number) => string;
    /** How one element of a list field reads, when not like the list's numbers. */
    itemShow?: (item: unknown) => string | null;
    /** A row of the reports' handshake tables (in registry order). */
    table?: boolean;
    /** Shown with a certificate in the webview tree and the text dissection. */
    certRow?: boolean;
    /** A summary field: its bytes are those of this field. */
    source?: string;
    /** A decoder range key only (length prefixes, `…List` vectors): no report property, so not for rules. */
    rangeOnly?: boolean;
}
export declare const FIELDS: readonly FieldDescriptor[];
/**
 * The descriptor of a concrete or pattern path (`clientHello.cipherSuites[3]`,
 * `serverHello.extensions[*].data.selected`), or undefined for a field the
 * registry does not know.
 */
export declare function fieldDescriptor(path: string): FieldDescriptor | undefined;
/** What a field is called. */
export declare function fieldLabel(path: string): string;
/**
 * What one step of a path is called where it is shown under its parent (a
 * tree node, a hover's breadcrumb): a field's label, or for a list element
 * its item name (`server_name` for an extension) or its index.
 */
export declare function stepLabel(path: string, value: unknown): string;
/**
 * How a field's value reads; `holder` is the object the path's last step is
 * in (for values the report does not keep). Null: nothing to show.
 */
export declare function formatField(path: string, value: unknown, holder?: unknown): string | null;
/** The handshake message holding a field; null for fields of no one message (and paths that are not fields). */
export declare function messageOfField(path: string): MessageName | null;
/** The field a summary field (`tls.cipherSuite`) takes its bytes from, or null. */
export declare function fieldSource(path: string): string | null;
/** The keys a rule may name after `root` (`clientHello`, `certificates[*]`, `clientHello.extensions[*]`): report properties, not range keys. */
export declare function ruleKeys(root: string): string[];
/** The roots of a connection's fields a rule may start with. */
export declare const RULE_ROOTS: readonly ["clientHello", "serverHello", "serverKeyExchange", "certificates", "fingerprints", "tls"];
/** The rows of a message's table in the reports, in registry order (a certificate's as `certificates[*].…`). */
export declare function tableFields(message: MessageName): FieldDescriptor[];
/** A certificate's rows in the webview tree and the text dissection, in order. */
export declare function certificateFields(): FieldDescriptor[];
