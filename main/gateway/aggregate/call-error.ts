// An error for the caller, with the code and message exactly as they go on the wire. The SDK's McpError prefixes
// its message with "MCP error <code>: ", which a client's McpError then prefixes again.
export class CallError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = 'CallError';
    this.code = code;
    this.data = data;
  }
}
