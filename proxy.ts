import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, SECURITY_HEADERS, STATIC_CSP } from "@/lib/auth/csp";
import { requestUrlProblem } from "@/lib/http/url-guard";
import { pageParamProblem, pageParamProblemHtml } from "@/lib/http/page-params";
import { jaegerErrorBody } from "@/lib/domain/jaeger";
import { v3ErrorBody } from "@/lib/domain/jaeger-v3";
import { AppError } from "@/lib/errors";
import { SESSION_COOKIE, sessionKey, timingSafeEqual, verifySession } from "@/lib/auth/session";

// Every page and API request: a CSP nonce and security headers; with DASHBOARD_PASSWORD set, a valid session
// cookie (or the password as a bearer token, for scripts) or a redirect to /login that comes back to the same
// URL, so links shared during an incident work for signed-in teammates.
const PUBLIC = ["/login", "/api/login", "/healthz", "/readyz"];

export async function proxy(request: NextRequest) {
  // A URL no route could use (NUL, broken percent-encoding) is refused here, before any page or SQL sees it.
  const problem = requestUrlProblem(rawPathAndQuery(request.url));
  if (problem) return withHeaders(apiError(rawPathAndQuery(request.url), 400, `bad request: ${problem}`), STATIC_CSP);
  const password = process.env.DASHBOARD_PASSWORD;
  if (password && !PUBLIC.includes(request.nextUrl.pathname) && !(await signedIn(request, password))) {
    if (/^\/(jaeger\/)?api\//.test(request.nextUrl.pathname)) {
      const message = "sign in first (POST /api/login) or send Authorization: Bearer <dashboard password>";
      return withHeaders(apiError(request.nextUrl.pathname, 401, message), STATIC_CSP);
    }
    const login = new URL("/login", request.url);
    login.searchParams.set("next", request.nextUrl.pathname + request.nextUrl.search);
    return withHeaders(NextResponse.redirect(login, 303), STATIC_CSP);
  }
  const bad = pageParamProblem(request.nextUrl.pathname, request.nextUrl.searchParams);
  if (bad) {
    const page = new NextResponse(pageParamProblemHtml(bad), {
      status: 400,
      headers: { "content-type": "text/html; charset=utf-8" },
    });
    return withHeaders(page, STATIC_CSP);
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(request.headers);
  // Next reads the nonce for its own scripts from the request's policy header.
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  return withHeaders(response);
}

async function signedIn(request: NextRequest, password: string): Promise<boolean> {
  const auth = request.headers.get("authorization");
  if (auth?.startsWith("Bearer ") && timingSafeEqual(auth.slice(7), password)) return true;
  return verifySession(sessionKey(password, process.env.SESSION_SECRET), request.cookies.get(SESSION_COOKIE)?.value);
}

/** An error as the API at `path` spells it: Jaeger's v1 and v3 routes in Jaeger's bodies, which Jaeger UI prints. */
function apiError(path: string, status: number, message: string): NextResponse {
  const err = new AppError(status, message);
  if (path.startsWith("/jaeger/api/v3/")) return NextResponse.json(v3ErrorBody(err), { status });
  if (path.startsWith("/jaeger/")) return NextResponse.json(jaegerErrorBody(err), { status });
  return NextResponse.json({ error: message }, { status });
}

function withHeaders(response: NextResponse, csp?: string): NextResponse {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) response.headers.set(k, v);
  if (csp) response.headers.set("content-security-policy", csp);
  return response;
}

/** The path and query as the client sent them (still percent-encoded). */
function rawPathAndQuery(url: string): string {
  const afterScheme = url.indexOf("//");
  const pathStart = url.indexOf("/", afterScheme === -1 ? 0 : afterScheme + 2);
  return pathStart === -1 ? "/" : url.slice(pathStart).split("#")[0]!;
}

export const config = {
  matcher: [{ source: "/((?!_next/static|_next/image|icon.svg).*)" }],
};
