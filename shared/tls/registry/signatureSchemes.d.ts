export declare function signatureSchemeName(n: number): string;
export declare function isKnownSignatureScheme(n: number): boolean;
