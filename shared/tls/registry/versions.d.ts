export declare const SSL3 = 768;
export declare const TLS10 = 769;
export declare const TLS11 = 770;
export declare const TLS12 = 771;
export declare const TLS13 = 772;
export declare function versionName(n: number): string;
/** TLS 1.3 or one of its drafts: the handshake after ServerHello is encrypted. */
export declare function isTls13(n: number): boolean;
