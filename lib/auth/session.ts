// Signed session cookies for the optional dashboard login (DASHBOARD_PASSWORD). Web Crypto only, so the same
// code runs in the request proxy and in route handlers.
export const SESSION_COOKIE = "tracemap_session";

const encoder = new TextEncoder();
const b64url = (buf: ArrayBuffer) => Buffer.from(buf).toString("base64url");

async function hmac(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return b64url(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
}

/** The signing key: SESSION_SECRET when set, else derived from the password (changing it signs everyone out). */
export const sessionKey = (password: string, secret?: string) => secret ?? `tracemap-session:${password}`;

/** How long a sign-in lasts. Enforced when a cookie is checked, whatever expiry it carries. */
export const SESSION_MAX_MS = 12 * 3600_000;
// Clocks of two web processes may differ a little; a cookie signed a moment "in the future" is still fine.
const CLOCK_SKEW_MS = 60_000;

/** "<expiry ms>.<signature>". */
export async function signSession(key: string, expiresAtMs: number): Promise<string> {
  return `${expiresAtMs}.${await hmac(key, `session:${expiresAtMs}`)}`;
}

export async function verifySession(key: string, value: string | undefined, nowMs = Date.now()): Promise<boolean> {
  if (!value) return false;
  const [exp, sig] = value.split(".");
  const expires = Number(exp);
  if (!sig || !Number.isSafeInteger(expires) || expires <= nowMs) return false;
  // A validly signed cookie with a far expiry (anyone who knows the password can sign one when SESSION_SECRET is
  // unset) still lasts at most one session from now.
  if (expires > nowMs + SESSION_MAX_MS + CLOCK_SKEW_MS) return false;
  return timingSafeEqual(sig, await hmac(key, `session:${expires}`));
}

/** Constant-time string comparison (by content; lengths leak, which is harmless for fixed-size MACs). */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const SITE = new URL("http://tracemap.invalid");

/**
 * Where to go after signing in: a path on this site, never another origin. Parsed as a browser would parse it
 * (tabs and newlines dropped, "\\" as "/", dot segments resolved) against a stand-in origin; anything that lands
 * elsewhere, or whose path would read as "//host", becomes "/". The result is the URL's own serialisation:
 * percent-encoded, so it is always a valid Location header.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith("/")) return "/";
  let url: URL;
  try {
    url = new URL(next, SITE);
  } catch {
    return "/";
  }
  if (url.origin !== SITE.origin || url.pathname.startsWith("//")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
