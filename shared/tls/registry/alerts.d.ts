export declare function alertDescriptionName(n: number): string;
export declare function alertLevelName(n: number): string;
