// Failed sign-ins are limited per client and overall (pure, clock passed in): guessing the dashboard password must
// be slow for one client and for a crowd of clients (an attacker can vary whatever identifies a client).
export interface SignInLimits {
  /** Failures one client may make per window. */
  perClient: number;
  /** Failures all clients together may make per window. */
  overall: number;
  windowMs: number;
}

export const defaultSignInLimits: SignInLimits = { perClient: 5, overall: 50, windowMs: 60_000 };

export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();
  private all: number[] = [];

  constructor(
    private readonly limits: SignInLimits = defaultSignInLimits,
    private readonly maxClients = 10_000,
  ) {}

  /** Seconds until this client may try again, or 0 when it may try now. */
  retryAfterSeconds(client: string, nowMs: number): number {
    const since = nowMs - this.limits.windowMs;
    this.all = this.all.filter((t) => t > since);
    const mine = (this.failures.get(client) ?? []).filter((t) => t > since);
    const waits: number[] = [];
    if (mine.length >= this.limits.perClient) waits.push(mine[mine.length - this.limits.perClient]! - since);
    if (this.all.length >= this.limits.overall) waits.push(this.all[this.all.length - this.limits.overall]! - since);
    return waits.length ? Math.max(1, Math.ceil(Math.max(...waits) / 1000)) : 0;
  }

  fail(client: string, nowMs: number): void {
    const since = nowMs - this.limits.windowMs;
    const mine = (this.failures.get(client) ?? []).filter((t) => t > since);
    mine.push(nowMs);
    this.failures.delete(client);
    // Memory stays bounded under many client keys: the least recently failing client is forgotten first.
    if (this.failures.size >= this.maxClients) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(client, mine);
    this.all.push(nowMs);
  }

  succeed(client: string): void {
    this.failures.delete(client);
  }
}

/** The client a request comes from: the first X-Forwarded-For hop when a proxy sets it, else one shared key. */
export function clientKey(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip") || "direct";
}
