// The server scenarios of the 2025-11-25 revision that the pinned suite runs (package.json pins
// @modelcontextprotocol/conformance exactly). Written out so that a run which silently runs fewer scenarios fails,
// and so that moving to another version of the suite changes this list on purpose.

/** What `conformance server --suite active --spec-version 2025-11-25` runs: the revision's scored scenarios. */
export const ACTIVE_SCENARIOS = [
  'server-initialize',
  'server-session-lifecycle',
  'logging-set-level',
  'ping',
  'completion-complete',
  'tools-list',
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-audio',
  'tools-call-embedded-resource',
  'tools-call-mixed-content',
  'tools-call-with-logging',
  'tools-call-error',
  'tools-call-with-progress',
  'tools-call-sampling',
  'tools-call-elicitation',
  'elicitation-sep1034-defaults',
  'server-sse-multiple-streams',
  'elicitation-sep1330-enums',
  'resources-list',
  'resources-read-text',
  'resources-read-binary',
  'resources-templates-read',
  'resources-subscribe',
  'resources-unsubscribe',
  'prompts-list',
  'prompts-get-simple',
  'prompts-get-with-args',
  'prompts-get-embedded-resource',
  'prompts-get-with-image',
  'dns-rebinding-protection',
] as const;

/** What `--suite pending` adds at 2025-11-25: scenarios the suite's own reference server cannot pass yet. */
export const PENDING_SCENARIOS = ['json-schema-2020-12', 'server-sse-polling'] as const;
