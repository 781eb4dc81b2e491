export declare const SERVE_V8_FLAGS: readonly {
  readonly name: string;
  readonly flag: string;
  /** Added only when the user names no flag for this setting either. */
  readonly onlyWith?: string;
}[];
export declare function missingServeFlags(given: readonly string[]): string[];
