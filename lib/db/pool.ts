import net from "node:net";
import postgres from "postgres";

export type Sql = postgres.Sql;

/** postgres.js pool for bulk ingest and heavy SQL. Bigints come back as JS bigint, never as lossy numbers. */
export function createSql(url: string, opts: { max?: number; connectTimeoutSeconds?: number } = {}): Sql {
  const options = {
    max: opts.max ?? 10,
    connect_timeout: opts.connectTimeoutSeconds ?? 5,
    onnotice: () => {},
    types: { bigint: postgres.BigInt },
    // postgres.js leaves Nagle's algorithm on: COPY's small CopyData/CopyDone writes then wait for the server's
    // delayed ACK, about 40 ms each, so every small span write took ~90 ms. TCP_NODELAY makes it ~1 ms.
    // The socket is returned before it connects (postgres.js buffers the startup message), so connect errors,
    // timeouts and closes reach postgres.js's own handlers and the pool reconnects as usual.
    socket: ({ host, port }: { host: string[]; port: number[] }) =>
      net.connect({ host: host[0], port: port[0]!, noDelay: true }),
  };
  // `socket` is a documented postgres.js option missing from its type definitions.
  return postgres(url, options as postgres.Options<{ bigint: typeof postgres.BigInt }>);
}

/** Either the pool or an open transaction: repository functions work inside both. */
export type Queryable = Sql | TransactionSql;
export type TransactionSql = postgres.TransactionSql;

/** Rejects when `p` has neither resolved nor rejected within `ms`. */
export async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>(
        (_, reject) =>
          (timer = setTimeout(() => reject(new DeadlineError(`${what} did not finish within ${ms} ms`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export class DeadlineError extends Error {}

/** "ok", "error" (refused, failed: the pool will reconnect) or "hung" (no answer at all within `timeoutMs`). */
export async function pingDatabase(sql: Sql, timeoutMs = 2000): Promise<"ok" | "error" | "hung"> {
  try {
    await withDeadline(sql`SELECT 1`, timeoutMs, "ping");
    return "ok";
  } catch (err) {
    return err instanceof DeadlineError ? "hung" : "error";
  }
}

/**
 * A pool that replaces itself when its connections wedge. postgres.js 3.4.9 can leave queries pending forever
 * after PostgreSQL restarts while connections are being opened (upstream porsager/postgres #1193): a ping that
 * neither answers nor fails means exactly that, so a fresh pool takes over and the old one is ended.
 * `sql` is a stable handle that always forwards to the current pool, so callers never hold a dead one.
 */
export class RenewableSql {
  private pool: Sql;
  readonly sql: Sql;
  private watchdog: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly opts: Parameters<typeof createSql>[1] = {},
    private readonly log: (m: string) => void = () => {},
  ) {
    this.pool = createSql(url, opts);
    this.sql = new Proxy((() => {}) as unknown as Sql, {
      apply: (_t, thisArg, args) => Reflect.apply(this.pool as unknown as (...a: unknown[]) => unknown, thisArg, args),
      get: (_t, prop) => {
        const v = (this.pool as unknown as Record<string | symbol, unknown>)[prop];
        return typeof v === "function" ? v.bind(this.pool) : v;
      },
    });
  }

  renew(reason: string): void {
    this.log(`database pool renewed: ${reason}`);
    const old = this.pool;
    this.pool = createSql(this.url, this.opts);
    old.end({ timeout: 1 }).catch(() => {});
  }

  /** Pings every `intervalMs`; a ping that hangs renews the pool. */
  watch(intervalMs = 5000, timeoutMs = 3000): void {
    let busy = false;
    this.watchdog = setInterval(() => {
      if (busy) return;
      busy = true;
      void pingDatabase(this.pool, timeoutMs).then((r) => {
        if (r === "hung") this.renew(`a ping got no answer within ${timeoutMs} ms`);
        busy = false;
      });
    }, intervalMs);
    this.watchdog.unref();
  }

  async end(timeoutSeconds = 5): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    await this.pool.end({ timeout: timeoutSeconds });
  }
}

/**
 * Whether an error comes from the data rather than the database's state: PostgreSQL's data exceptions (class 22:
 * bad hex, bad encoding, out of range), cardinality violations (21) and program limits (class 54: an index row too big), or a JS type/range
 * error from our own code on a value. Retrying such an error gives it again; connection loss, deadlocks and
 * serialization failures are worth retrying and are not data errors.
 */
export function isDataError(err: unknown): boolean {
  if (err instanceof postgres.PostgresError) return /^(21|22|54)/.test(err.code);
  return err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError;
}

/** Codes of a database that cannot be reached or is going away, as postgres.js and Node's sockets report them. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

/**
 * The database is unavailable rather than the query wrong: no connection, or PostgreSQL refusing connections or
 * shutting down (SQLSTATE class 08, 53300 too many connections, 57P01-57P03). Decided by code, never message text.
 */
export function isUnavailableError(err: unknown): boolean {
  if (err instanceof postgres.PostgresError) return /^(08|53300|57P0[123])/.test(err.code);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && UNREACHABLE_CODES.has(code)) return true;
  // Node wraps parallel connection attempts (IPv4 and IPv6) in an AggregateError.
  return err instanceof AggregateError && err.errors.some(isUnavailableError);
}
