// What every dashboard call over HTTP passes before its input is read: POST only, the CSRF header (which a
// cross-site form cannot send), a bounded body, and JSON. Shared by a desktop's `serve` and a team server's
// dashboard, so both refuse the same requests the same way.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CSRF_HEADER } from '../../preload/contract.ts';
import { readBody } from '../gateway/http/body-reader.ts';
import { replyJson } from '../gateway/http/http-reply.ts';

/** The call's parsed JSON input, or null when a refusal was already answered (or the client went away). */
export async function readApiInput(
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  maxBytes: number,
): Promise<{ readonly input: unknown } | null> {
  if (req.method !== 'POST') {
    replyJson(res, 405, { ok: false, error: 'use POST' }, { allow: 'POST' });
    return null;
  }
  if (req.headers[CSRF_HEADER] !== '1') {
    replyJson(res, 403, { ok: false, error: `Forbidden: a dashboard call needs the ${CSRF_HEADER} header` });
    return null;
  }
  const body = await readBody(req, maxBytes);
  if (!body.ok) {
    if (body.reason !== 'aborted') {
      replyJson(res, 413, { ok: false, error: `Payload Too Large: at most ${maxBytes} bytes` });
    }
    return null;
  }
  try {
    return { input: body.body.length === 0 ? {} : JSON.parse(body.body.toString('utf8')) };
  } catch (error) {
    replyJson(res, 400, { ok: false, error: `${method}: the body is not JSON: ${(error as Error).message}` });
    return null;
  }
}
