// The protocol revision a server may speak alone, in a module of its own: naming it must not load the SDK 2.x
// client (modern-upstream-client.ts), which only a server of that revision needs.
export const MODERN_VERSION = '2026-07-28';
