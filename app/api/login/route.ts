import {
  SESSION_COOKIE,
  SESSION_MAX_MS,
  safeNextPath,
  sessionKey,
  signSession,
  timingSafeEqual,
} from "@/lib/auth/session";
import { clientKey, SignInLimiter } from "@/lib/auth/sign-in-limiter";

export const dynamic = "force-dynamic";

// One limiter per web process: failed sign-ins per client and overall.
const limiter = new SignInLimiter();

// Relative Location headers: behind a proxy req.url's host can differ from the browser's, and CSP form-action
// 'self' would then block the redirect that follows the form post.
const seeOther = (location: string, headers: Record<string, string> = {}) =>
  new Response(null, { status: 303, headers: { location, ...headers } });

/** Form POST from /login: the right password sets the session cookie and goes back where the user was headed. */
export async function POST(req: Request) {
  const password = process.env.DASHBOARD_PASSWORD;
  const form = await req.formData().catch(() => null);
  const next = safeNextPath(form?.get("next")?.toString());
  if (!password) return seeOther(next);
  const client = clientKey(req.headers);
  const wait = limiter.retryAfterSeconds(client, Date.now());
  if (wait > 0) {
    return new Response(`Too many failed sign-ins. Try again in ${wait} s.\n`, {
      status: 429,
      headers: { "retry-after": String(wait), "content-type": "text/plain; charset=utf-8" },
    });
  }
  const given = form?.get("password")?.toString() ?? "";
  if (!timingSafeEqual(given, password)) {
    limiter.fail(client, Date.now());
    return seeOther(`/login?${new URLSearchParams({ next, error: "1" })}`);
  }
  limiter.succeed(client);
  const expires = Date.now() + SESSION_MAX_MS;
  const value = await signSession(sessionKey(password, process.env.SESSION_SECRET), expires);
  const secure = new URL(req.url).protocol === "https:" ? "; Secure" : "";
  return seeOther(next, {
    "set-cookie": `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_MAX_MS / 1000}${secure}`,
  });
}
