// Reading the redirect an authorization server sends the browser back with. The SDK never sees it, so the checks
// it does not make are made here: the exact redirect URL, `state` (RFC 6749 §10.12) and `iss` (RFC 9207), all
// before the code is redeemed.

export interface ExpectedCallback {
  /** The redirect URI that was registered and sent: scheme, host, port and path must match exactly. */
  readonly redirectUrl: string;
  readonly state: string;
  /** The issuer from the authorization server's metadata. */
  readonly issuer: string | undefined;
  /** Whether that metadata promised an `iss` parameter. */
  readonly issPromised: boolean;
}

export type CallbackResult =
  { readonly ok: true; readonly code: string } | { readonly ok: false; readonly error: string };

export function readCallback(callback: URL, expected: ExpectedCallback): CallbackResult {
  const redirect = new URL(expected.redirectUrl);
  if (callback.origin !== redirect.origin || callback.pathname !== redirect.pathname) {
    return {
      ok: false,
      error: `the authorization server redirected to ${callback.origin}${callback.pathname}, not to ${redirect.origin}${redirect.pathname}`,
    };
  }
  const params = callback.searchParams;
  if (params.get('state') !== expected.state) {
    return {
      ok: false,
      error: 'the authorization response has the wrong state: it is not the answer to this login, so it was refused',
    };
  }
  const iss = params.get('iss');
  if (iss === null && expected.issPromised) {
    return {
      ok: false,
      error: 'the authorization response has no iss although the authorization server promised one; refused',
    };
  }
  if (iss !== null && iss !== expected.issuer) {
    return {
      ok: false,
      error: `the authorization response comes from issuer ${iss}, not ${expected.issuer ?? '(unknown)'}; refused`,
    };
  }
  const error = params.get('error');
  if (error !== null) {
    const description = params.get('error_description');
    return { ok: false, error: `the authorization server refused: ${error}${description ? ` (${description})` : ''}` };
  }
  const code = params.get('code');
  if (code === null || code === '') return { ok: false, error: 'the authorization response has no code' };
  return { ok: true, code };
}
