// The web app's Content-Security-Policy and security headers (one definition, applied by proxy.ts).
import securityHeaders from "./security-headers.json";
// Scripts: only Next's own, by per-request nonce ('strict-dynamic' lets them load their chunks). Styles allow
// inline attributes: React renders style="" for bar widths and positions, and style injection cannot run code.
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    // The map's layout worker (app/elk-worker.js); 'strict-dynamic' above does not extend to workers.
    "worker-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

// Kept as JSON so next.config.mjs (plain Node, no TypeScript) reads the same values for static files.
/** For answers that are not pages (redirects, errors, static files): nothing may load, run or frame them. */
export const STATIC_CSP: string = securityHeaders.staticCsp;

export const SECURITY_HEADERS: Record<string, string> = securityHeaders.headers;
