// Where audit records are uploaded, and which of two sources names it: config.json (`audit.upload.url`) or the
// team's signed policy. The team wins when it names an endpoint: the team is who collects, and a member's
// config cannot send the team's trail elsewhere. A token belongs to the source that named its URL, so a bearer
// token from config.json is never sent to an endpoint the team chose, nor the reverse.
import { isLoopbackAddress } from '../net/address-policy.ts';

export type UploadSource = 'config' | 'team';

export interface UploadTarget {
  readonly url: string;
  /** The vault secret whose value is sent as `Authorization: Bearer …`; null sends none. */
  readonly tokenSecret: string | null;
  readonly source: UploadSource;
}

/** `${secret:NAME}` exactly: the token is only ever a reference, its value only ever in the vault. */
export const TOKEN_REF = /^\$\{secret:([A-Za-z_][A-Za-z0-9_.-]{0,127})\}$/;

/** The secret name of a `${secret:NAME}` reference, or null when the text is not exactly one. */
export function tokenSecretOf(ref: string | undefined): string | null {
  if (ref === undefined) return null;
  return TOKEN_REF.exec(ref)?.[1] ?? null;
}

/**
 * Null when `text` may be an upload endpoint, else what is wrong with it. https anywhere but link-local and
 * cloud-metadata addresses (checked again on every connection, after DNS); plain http only to this machine
 * (127.0.0.0/8, ::1, localhost), since records and the token would otherwise cross the network readable.
 */
export function uploadUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute https:// URL';
  }
  if (url.username !== '' || url.password !== '') {
    return 'must not carry a user name or password; give the token as a secret reference in audit.upload.token';
  }
  if (url.hash !== '') return 'must not have a #fragment';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') {
    return url.hostname === 'localhost' || isLoopbackAddress(url.hostname)
      ? null
      : 'http:// is allowed only to this machine (127.0.0.1, ::1, localhost); use https:// for another host';
  }
  return `must be an https:// URL, not ${url.protocol}`;
}

/** Holds what each source names and hands the one that counts (team over config) to `apply` when it changes. */
export class UploadTargets {
  readonly #apply: (target: UploadTarget | null) => void;
  #config: UploadTarget | null = null;
  #team: UploadTarget | null = null;
  #current: UploadTarget | null = null;

  constructor(apply: (target: UploadTarget | null) => void) {
    this.#apply = apply;
  }

  fromConfig(target: UploadTarget | null): void {
    this.#config = target === null ? null : { ...target, source: 'config' };
    this.#update();
  }

  fromTeam(target: UploadTarget | null): void {
    this.#team = target === null ? null : { ...target, source: 'team' };
    this.#update();
  }

  get current(): UploadTarget | null {
    return this.#current;
  }

  #update(): void {
    const next = this.#team ?? this.#config;
    if (sameTarget(next, this.#current)) return;
    this.#current = next;
    this.#apply(next);
  }
}

function sameTarget(a: UploadTarget | null, b: UploadTarget | null): boolean {
  if (a === null || b === null) return a === b;
  return a.url === b.url && a.tokenSecret === b.tokenSecret && a.source === b.source;
}
