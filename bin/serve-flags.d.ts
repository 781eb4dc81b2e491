export declare const SERVE_V8_FLAGS: readonly { readonly name: string; readonly flag: string }[];
export declare function missingServeFlags(given: readonly string[]): string[];
