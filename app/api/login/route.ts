import { SESSION_COOKIE, safeNextPath, sessionKey, signSession, timingSafeEqual } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

const SESSION_HOURS = 12;

// Relative Location headers: behind a proxy req.url's host can differ from the browser's, and CSP form-action
// 'self' would then block the redirect that follows the form post.
const seeOther = (location: string, headers: Record<string, string> = {}) => new Response(null, { status: 303, headers: { location, ...headers } });

/** Form POST from /login: the right password sets the session cookie and goes back where the user was headed. */
export async function POST(req: Request) {
  const password = process.env.DASHBOARD_PASSWORD;
  const form = await req.formData().catch(() => null);
  const next = safeNextPath(form?.get("next")?.toString());
  if (!password) return seeOther(next);
  const given = form?.get("password")?.toString() ?? "";
  if (!timingSafeEqual(given, password)) {
    return seeOther(`/login?${new URLSearchParams({ next, error: "1" })}`);
  }
  const expires = Date.now() + SESSION_HOURS * 3600_000;
  const value = await signSession(sessionKey(password, process.env.SESSION_SECRET), expires);
  const secure = new URL(req.url).protocol === "https:" ? "; Secure" : "";
  return seeOther(next, { "set-cookie": `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_HOURS * 3600}${secure}` });
}
