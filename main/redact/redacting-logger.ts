// A Logger that masks secrets in every message and field before the line is written anywhere.
import type { Logger } from '../log/logger.ts';
import type { Redactor } from './redactor.ts';

export function redactingLogger(inner: Logger, redactor: Redactor): Logger {
  const fields = (f: Record<string, unknown> | undefined): Record<string, unknown> | undefined =>
    f === undefined ? undefined : redactor.redactJson(f);
  return {
    debug: (msg, f) => inner.debug(redactor.redact(msg), fields(f)),
    info: (msg, f) => inner.info(redactor.redact(msg), fields(f)),
    warn: (msg, f) => inner.warn(redactor.redact(msg), fields(f)),
    error: (msg, f) => inner.error(redactor.redact(msg), fields(f)),
    child: (f) => redactingLogger(inner.child(redactor.redactJson(f)), redactor),
  };
}
