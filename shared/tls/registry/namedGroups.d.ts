export declare function namedGroupName(n: number): string;
export declare function isKnownGroup(n: number): boolean;
/** Finite-field (RFC 7919) groups: their key shares are DH public values, not EC points. */
export declare function isFfdheGroup(n: number): boolean;
/** EC point formats (ec_point_formats extension), RFC 8422. */
export declare function ecPointFormatName(n: number): string;
/** ECCurveType in ServerKeyExchange, RFC 8422. */
export declare function ecCurveTypeName(n: number): string;
