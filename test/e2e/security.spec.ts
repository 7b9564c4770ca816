import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startProduct, type RunningProduct } from "../helpers/product";
import { launchChromium } from "../helpers/browser";
import { SESSION_COOKIE, sessionKey, signSession } from "../../lib/auth/session";

const PASSWORD = "correct horse battery";
const INGEST_TOKEN = "ingest-token-7f3a9";
let product: RunningProduct;
let browser: Browser;

beforeAll(async () => {
  product = await startProduct({
    DASHBOARD_PASSWORD: PASSWORD,
    INGEST_TOKEN,
    AGGREGATOR_INTERVAL_MS: "200",
    AGGREGATOR_WAIT_MS: "500",
  });
  browser = await launchChromium();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  if (product) expect(await product.stop()).toBe(0);
});

// Strings an attacker controls in span data: SQL, markup, a javascript: URL, bidi override, zero-width space.
const HOSTILE = {
  service: "'; drop table spans; --",
  callee: "pay\u200Bment \u202Egnp.exe",
  span: "<script>window.__pwned=1</script>",
  attr: "<img src=x onerror=window.__pwned=2>",
  url: "javascript:window.__pwned=3",
};

async function sendHostileTrace(): Promise<string> {
  const traceId = "ab".repeat(16);
  const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
  const now = Date.now() - 5000;
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const resource = (service: string, spans: unknown[]) => ({
    resource: { attributes: [str("service.name", service)] },
    scopeSpans: [{ spans }],
  });
  const body = {
    resourceSpans: [
      resource(HOSTILE.service, [
        {
          traceId,
          spanId: "1".repeat(16),
          name: HOSTILE.span,
          kind: 2,
          startTimeUnixNano: ns(now),
          endTimeUnixNano: ns(now + 50),
          attributes: [str("note", HOSTILE.attr), str("url.full", HOSTILE.url)],
        },
        {
          traceId,
          spanId: "2".repeat(16),
          parentSpanId: "1".repeat(16),
          name: "call",
          kind: 3,
          startTimeUnixNano: ns(now + 1),
          endTimeUnixNano: ns(now + 40),
        },
      ]),
      resource(HOSTILE.callee, [
        {
          traceId,
          spanId: "3".repeat(16),
          parentSpanId: "2".repeat(16),
          name: HOSTILE.attr,
          kind: 2,
          startTimeUnixNano: ns(now + 2),
          endTimeUnixNano: ns(now + 39),
        },
      ]),
    ],
  };
  const post = (auth?: string) =>
    fetch(`http://127.0.0.1:${product.ports.otlpHttp}/v1/traces`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
    });
  expect((await post()).status).toBe(401);
  expect((await post("Bearer wrong")).status).toBe(401);
  expect((await post(`Bearer ${INGEST_TOKEN}`)).status).toBe(200);
  return traceId;
}

it("login protects pages and API, a shared link survives sign-in, CSP and security headers hold, hostile span data stays inert text", async () => {
  const web = `http://127.0.0.1:${product.ports.web}`;
  const traceId = await sendHostileTrace();

  // API without a session: 401 with a message; with the password as bearer: data.
  const anonymous = await fetch(`${web}/api/graph?from=now-15m`);
  expect(anonymous.status).toBe(401);
  expect((await anonymous.json()).error).toContain("sign in");
  expect((await fetch(`${web}/healthz`)).status).toBe(200);
  await expect
    .poll(
      async () => {
        const res = await fetch(`${web}/api/graph?from=now-15m`, { headers: { authorization: `Bearer ${PASSWORD}` } });
        return ((await res.json()) as { edges: { target: string }[] }).edges.map((e) => e.target);
      },
      { timeout: 30_000 },
    )
    .toContain(HOSTILE.callee);

  // A teammate opens a shared link: login first, then exactly that view.
  const context = await browser.newContext();
  const page = await context.newPage();
  const violations: string[] = [];
  page.on("console", (m) => /Content Security Policy|Refused to/i.test(m.text()) && violations.push(m.text()));
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const shared = `/?from=now-15m&live=0&sel=${encodeURIComponent(`node:${HOSTILE.callee}`)}`;
  await page.goto(web + shared);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel("Dashboard password").fill("not it");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/error=1/);
  expect(await page.locator("main .banner").textContent()).toBe("Wrong password.");
  await page.getByLabel("Dashboard password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  const sameView = (u: URL) =>
    u.pathname === "/" && [...u.searchParams].join("&") === [...new URL(web + shared).searchParams].join("&");
  await page.waitForURL(sameView);

  // Under the CSP the app still runs (the map is drawn by client JS), and the hostile names are plain text.
  const response = await page.reload();
  const csp = response!.headers()["content-security-policy"]!;
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
  expect(response!.headers()["x-frame-options"]).toBe("DENY");
  expect(response!.headers()["x-content-type-options"]).toBe("nosniff");
  expect(response!.headers()["referrer-policy"]).toBe("no-referrer");
  await page.waitForFunction(() => (window as any).__tracemapCy);
  expect(await page.getByTestId("selection-panel").locator("h2").textContent()).toBe(HOSTILE.callee);
  expect(await page.getByTestId("selection-panel").textContent()).toContain(HOSTILE.service);

  await page.goto(`${web}/traces/${traceId}`);
  const waterfall = page.getByTestId("waterfall");
  await waterfall.locator("tbody tr[data-span]").first().waitFor();
  expect(await waterfall.textContent()).toContain(HOSTILE.span);
  await waterfall.locator(`tr[data-span="${"1".repeat(16)}"]`).click();
  const detail = page.getByTestId("span-detail");
  expect(await detail.textContent()).toContain(`note = ${HOSTILE.attr}`);
  expect(await detail.textContent()).toContain(`url.full = ${HOSTILE.url}`);
  expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
  expect(await page.locator("main img, main script").count()).toBe(0);
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(violations).toEqual([]);

  // Signing out ends the session.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/login/);
  await page.goto(`${web}/traces`);
  await page.waitForURL(/\/login\?next=%2Ftraces/);
  await context.close();

  // No secret reaches the logs.
  expect(product.output()).not.toContain(PASSWORD);
  expect(product.output()).not.toContain(INGEST_TOKEN);
}, 180_000);

it("the red team's login, URL and header findings are closed", async () => {
  const web = `http://127.0.0.1:${product.ports.web}`;
  const login = (form: Record<string, string>, client: string) =>
    fetch(`${web}/api/login`, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams(form),
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": client },
    });

  // next= only ever leads to this site, percent-encoded: never a 500, never "/\t/evil.example".
  for (const next of ["/\t/evil.example", "/\n/evil.example", "/\r\n/x", "/caf\u00e9/\u{1F600}", "/.//evil.example"]) {
    const res = await login({ password: PASSWORD, next }, "198.51.100.1");
    expect(res.status).toBe(303);
    const location = res.headers.get("location")!;
    expect(new URL(location, web).origin).toBe(web);
    expect(location.startsWith("//")).toBe(false);
    expect(res.headers.get("content-security-policy")).toBeTruthy();
  }

  // Failed sign-ins are limited per client: the sixth try within a minute is 429, even with the right password.
  for (let i = 0; i < 5; i++)
    expect((await login({ password: `wrong-${i}`, next: "/" }, "203.0.113.9")).status).toBe(303);
  const limited = await login({ password: PASSWORD, next: "/" }, "203.0.113.9");
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  expect((await login({ password: PASSWORD, next: "/" }, "198.51.100.2")).status).toBe(303);

  // A cookie signed with an expiry in 2286 is refused: sessions last at most 12 h from now.
  const forever = await signSession(sessionKey(PASSWORD), Date.UTC(2286, 0, 1));
  expect((await fetch(`${web}/api/graph`, { headers: { cookie: `${SESSION_COOKIE}=${forever}` } })).status).toBe(401);
  const gate = await fetch(`${web}/`, { redirect: "manual" });
  expect(gate.status).toBe(303);
  expect(gate.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");

  // URLs no route can use are 400 with a message, before any SQL (signed in, so the routes would otherwise run).
  const auth = { authorization: `Bearer ${PASSWORD}` };
  for (const path of [
    "/api/traces/%ff",
    "/services/%ED%A0%80",
    "/jaeger/api/traces/%ff",
    "/api/graph?from=now-1h%00",
    "/api/services/a%00b",
    "/api/edges/a/b/traces?maxMs=1e308",
    "/jaeger/api/traces?service=a&end=1e30",
    "/jaeger/api/dependencies?endTs=1e300",
    "/api/graph?from=9999999999999999",
  ]) {
    const res = await fetch(`${web}${path}`, { headers: auth });
    expect([path, res.status]).toEqual([path, 400]);
    const body = await res.json();
    // Jaeger's routes answer in Jaeger's error envelope, which Jaeger UI prints.
    expect(path.startsWith("/jaeger/") ? body.errors?.[0]?.msg : body.error).toBeTruthy();
  }

  // Security headers on static files and the icon too.
  const page = await (await fetch(`${web}/login`)).text();
  const asset = /\/_next\/static\/[^"]+\.(?:js|css)/.exec(page)![0];
  for (const path of [asset, "/icon.svg"]) {
    const res = await fetch(`${web}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  }
});
