// The contract's Electron form: one IPC channel per call and one for events. The preload bridge invokes them; the
// main process answers them (main/electron/control-ipc.ts) with the same values the HTTP form returns.
export const IPC_CHANNELS = {
  status: 'switchboard:status',
  serverAction: 'switchboard:server-action',
  audit: 'switchboard:audit',
  event: 'switchboard:event',
} as const;
