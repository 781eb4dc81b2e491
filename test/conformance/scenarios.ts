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

/** What `conformance server --requirements 2026-07-28` runs and scores, every scenario at the 2026-07-28 wire. */
export const MODERN_SCORED_SCENARIOS = [
  'server-stateless',
  'completion-complete',
  'tools-list',
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-audio',
  'tools-call-embedded-resource',
  'tools-call-mixed-content',
  'tools-call-error',
  'tools-call-with-progress',
  'server-sse-multiple-streams',
  'resources-list',
  'resources-read-text',
  'resources-read-binary',
  'resources-templates-read',
  'sep-2164-resource-not-found',
  'prompts-list',
  'prompts-get-simple',
  'prompts-get-with-args',
  'prompts-get-embedded-resource',
  'prompts-get-with-image',
  'dns-rebinding-protection',
  'caching',
  'input-required-result-basic-elicitation',
  'input-required-result-basic-sampling',
  'input-required-result-basic-list-roots',
  'input-required-result-request-state',
  'input-required-result-multiple-input-requests',
  'input-required-result-multi-round',
  'input-required-result-missing-input-response',
  'input-required-result-non-tool-request',
  'input-required-result-result-type',
  'input-required-result-unsupported-methods',
  'input-required-result-tampered-state',
  'input-required-result-capability-check',
  'input-required-result-ignore-extra-params',
  'input-required-result-validate-input',
] as const;

/**
 * What `--requirements 2026-07-28` runs too but does not score: the tasks extension (which the gateway does not
 * offer), then pending scenarios (which it passes: modern.test.ts asserts it).
 */
export const MODERN_UNSCORED_SCENARIOS = {
  'tasks-lifecycle': 'extension',
  'tasks-capability-negotiation': 'extension',
  'tasks-wire-fields': 'extension',
  'tasks-request-state-removal': 'extension',
  'tasks-mrtr-input': 'extension',
  'tasks-request-headers': 'extension',
  'tasks-dispatch-and-envelope': 'extension',
  'tasks-status-notifications': 'extension',
  'tasks-required-task-error': 'extension',
  'tasks-mrtr-composition': 'extension',
  'json-schema-2020-12': 'pending',
  'http-header-validation': 'pending',
  'http-custom-header-server-validation': 'pending',
} as const;
