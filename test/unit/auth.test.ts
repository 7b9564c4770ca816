import { describe, expect, it } from "vitest";
import { safeNextPath, SESSION_MAX_MS, signSession, verifySession } from "../../lib/auth/session";
import { clientKey, SignInLimiter } from "../../lib/auth/sign-in-limiter";

describe("safeNextPath", () => {
  it("keeps same-site paths with their query and fragment, percent-encoded", () => {
    expect(safeNextPath("/traces?service=a&from=now-1h#x")).toBe("/traces?service=a&from=now-1h#x");
    expect(safeNextPath("/services/caf\u00e9")).toBe("/services/caf%C3%A9");
    expect(safeNextPath("/a\nb")).toBe("/ab");
  });

  it.each([
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "/.//evil.example",
    "/%09/evil.example/../..//evil.example",
    "",
    "evil",
    "javascript:alert(1)",
  ])("sends %j nowhere but this site", (next) => {
    const out = safeNextPath(next);
    expect(out.startsWith("/")).toBe(true);
    expect(out.startsWith("//")).toBe(false);
    expect(new URL(out, "https://tracemap.example").origin).toBe("https://tracemap.example");
    // Always a valid header value: no control characters, nothing outside Latin-1.
    expect(() => new Headers({ location: out })).not.toThrow();
  });

  it("never throws, whatever the text", () => {
    for (const next of ["/\u{1F600}", "/\uD800", "/%ff", "/%", "/\u0000", `/${"a".repeat(100_000)}`]) {
      expect(() => new Headers({ location: safeNextPath(next) })).not.toThrow();
    }
  });
});

describe("verifySession", () => {
  it("refuses a validly signed cookie whose expiry is beyond one session from now", async () => {
    const now = Date.now();
    expect(await verifySession("k", await signSession("k", now + SESSION_MAX_MS), now)).toBe(true);
    expect(await verifySession("k", await signSession("k", Date.UTC(2286, 0, 1)), now)).toBe(false);
    expect(await verifySession("k", await signSession("k", now - 1), now)).toBe(false);
    expect(await verifySession("other", await signSession("k", now + 1000), now)).toBe(false);
  });
});

describe("SignInLimiter", () => {
  it("limits failures per client, then lets it try again when the window has passed", () => {
    const l = new SignInLimiter({ perClient: 3, overall: 100, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfterSeconds("a", 1000 + i)).toBe(0);
      l.fail("a", 1000 + i);
    }
    expect(l.retryAfterSeconds("a", 2000)).toBe(59);
    expect(l.retryAfterSeconds("b", 2000)).toBe(0);
    expect(l.retryAfterSeconds("a", 61_001)).toBe(0);
  });

  it("limits failures of all clients together, whatever keys they use", () => {
    const l = new SignInLimiter({ perClient: 5, overall: 10, windowMs: 60_000 });
    for (let i = 0; i < 10; i++) l.fail(`client-${i}`, 1000);
    expect(l.retryAfterSeconds("someone-new", 1500)).toBe(60);
  });

  it("forgets a client's failures after a success and keeps at most maxClients keys", () => {
    const l = new SignInLimiter({ perClient: 2, overall: 1e9, windowMs: 60_000 }, 100);
    l.fail("a", 0);
    l.fail("a", 1);
    expect(l.retryAfterSeconds("a", 2)).toBeGreaterThan(0);
    l.succeed("a");
    expect(l.retryAfterSeconds("a", 3)).toBe(0);
    for (let i = 0; i < 1000; i++) l.fail(`k${i}`, 10);
    expect((l as unknown as { failures: Map<string, number[]> }).failures.size).toBeLessThanOrEqual(100);
  });

  it("keys a client by its first forwarded hop", () => {
    expect(clientKey(new Headers({ "x-forwarded-for": "10.0.0.1, 10.0.0.2" }))).toBe("10.0.0.1");
    expect(clientKey(new Headers())).toBe("direct");
  });
});
