/**
 * GREASE (RFC 8701): reserved values clients inject so that servers tolerate
 * unknown code points. Fingerprints must ignore them, so they are recognised in
 * one place for cipher suites, extensions, groups, signature schemes, versions
 * (all 16-bit, 0x?a?a with both bytes equal) and ALPN / PSK modes (8-bit 0x?b).
 */
/** 16-bit GREASE value: 0x0a0a, 0x1a1a … 0xfafa. */
export declare function isGrease(n: number): boolean;
/** 8-bit GREASE value used for psk_key_exchange_modes and the like: 0x0b, 0x2a, … (RFC 8701 §2: 0x0B, 0x2A, 0x49, 0x68, 0x87, 0xA6, 0xC5, 0xE4). */
export declare function isGrease8(n: number): boolean;
/** All 16 GREASE values, for tests and generators. */
export declare const GREASE_VALUES: readonly number[];
