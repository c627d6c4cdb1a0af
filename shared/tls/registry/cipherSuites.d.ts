/**
 * How the suite establishes keys. It decides the ServerKeyExchange and
 * ClientKeyExchange layouts: 'dh'/'ecdh' (static) send no ServerKeyExchange,
 * 'rsa-export' sends one only for a long RSA key, 'tls13' suites never use them.
 */
export type KeyExchange = 'null' | 'rsa' | 'rsa-export' | 'dh' | 'dhe' | 'ecdh' | 'ecdhe' | 'psk' | 'dhe-psk' | 'ecdhe-psk' | 'rsa-psk' | 'srp' | 'krb5' | 'eccpwd' | 'gost' | 'sm2' | 'ecjpake' | 'tls13' | 'scsv' | 'unknown';
export interface CipherSuiteInfo {
    id: number;
    name: string;
    kex: KeyExchange;
    /** Anonymous suites: no certificate and an unsigned ServerKeyExchange. */
    anonymous: boolean;
    export: boolean;
    iana: boolean;
    grease: boolean;
}
export declare function cipherSuiteName(n: number): string;
export declare function isKnownCipherSuite(n: number): boolean;
export declare function cipherSuiteInfo(n: number): CipherSuiteInfo;
/** Key exchange of a suite ('unknown' for unassigned and GREASE values). */
export declare function kexOf(n: number): KeyExchange;
/** All named suites, for tests and UIs. */
export declare function allCipherSuites(): ReadonlyArray<readonly [number, string]>;
/** Name of a 3-byte SSLv2 cipher spec; specs with a zero first byte are TLS suites. */
export declare function sslv2CipherSpecName(n: number): string;
