/**
 * Who is calling and what they may see: bearer tokens (compared in constant time) and the tenant
 * scope a token carries. A token without a tenant sees every tenant; a token scoped to tenant T
 * sees only T's objects and statistics (the API answers 403 for the others).
 *
 * The comparison hashes the presented token and every configured one with SHA-256 and compares
 * the fixed-length digests byte by byte without stopping early, over every configured token: the
 * time taken depends neither on where the first differing byte is nor on which token matched.
 *
 * @example
 * ```ts
 * const auth = new Authenticator([{ token: "s3cret", tenant: "acme" }]);
 * await auth.check("Bearer s3cret"); // { tenant: "acme" }
 * await auth.check("Bearer nope");   // null
 * ```
 * @module
 */

/** A configured API token (`[api].tokens`). */
export interface ApiToken {
  token: string;
  /** tenant scope; absent = all tenants */
  tenant?: string;
}

/** The caller behind a request: `tenant` null = every tenant. */
export interface Caller {
  tenant: string | null;
}

/** Longest `Authorization` header read (longer ones are refused without hashing). */
export const MAX_AUTH_HEADER = 4096;

const _enc = new TextEncoder();

async function _digest(s: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", _enc.encode(s)));
}

/**
 * Whether two equal-length byte arrays are equal, in time independent of their contents.
 *
 * @example
 * ```ts
 * timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])); // true
 * ```
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Checks bearer tokens against the configured list; see the module doc. */
export class Authenticator {
  private readonly _tokens: readonly ApiToken[];
  private _digests: Promise<Uint8Array[]> | null = null;

  constructor(tokens: readonly ApiToken[]) {
    this._tokens = tokens;
  }

  /** Whether any token is configured (no tokens: every request is an unscoped caller). */
  get enabled(): boolean {
    return this._tokens.length > 0;
  }

  /**
   * The caller of an `Authorization` header value (or of a bare token, for the `access_token`
   * query parameter), or null when it is missing or wrong. With no token configured every caller
   * is unscoped.
   */
  async check(header: string | null | undefined, opts: { bare?: boolean } = {}): Promise<Caller | null> {
    if (!this.enabled) return { tenant: null };
    if (typeof header !== "string" || header.length > MAX_AUTH_HEADER) return null;
    let presented: string;
    if (opts.bare) presented = header;
    else {
      const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
      if (!m) return null;
      presented = m[1]!;
    }
    this._digests ??= Promise.all(this._tokens.map((t) => _digest(t.token)));
    const [want, got] = await Promise.all([this._digests, _digest(presented)]);
    let found = -1;
    for (let i = 0; i < want.length; i++) {
      // every token is compared, so the time does not tell which one matched
      if (timingSafeEqual(want[i]!, got) && found < 0) found = i;
    }
    if (found < 0) return null;
    return { tenant: this._tokens[found]!.tenant ?? null };
  }
}

/**
 * Whether a caller scoped to `scope` (null = every tenant) may use an object of tenant `tenant`.
 * An object whose tenant is unknown (`null`: not in the directory) is allowed here, so the
 * service answers it with its own 404.
 *
 * @example
 * ```ts
 * inScope("acme", "acme"); // true
 * inScope("acme", "globex"); // false
 * inScope(null, "globex"); // true
 * ```
 */
export function inScope(scope: string | null, tenant: string | null | undefined): boolean {
  return scope === null || tenant === null || tenant === undefined || tenant === scope;
}

/**
 * Whether a scoped caller may open or query this object: its directory tenant (`tenantOf`) and,
 * when the request names one, `object.tenant` must both be in scope.
 *
 * @example
 * ```ts
 * objectInScope("acme", { type: "Queue", id: "9001" }, () => "globex"); // false
 * ```
 */
export function objectInScope(
  scope: string | null,
  object: { type: string; id: string; tenant?: string },
  tenantOf: (o: { type: string; id: string }) => string | null,
): boolean {
  if (scope === null) return true;
  if (object.tenant !== undefined && object.tenant !== scope) return false;
  return inScope(scope, tenantOf(object));
}
