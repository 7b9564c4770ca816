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
    socket: ({ host, port }: { host: string[]; port: number[] }) =>
      new Promise<net.Socket>((resolve, reject) => {
        const socket = net.connect({ host: host[0], port: port[0]!, noDelay: true });
        // postgres.js starts its connect timer only after this resolves: time out here too.
        const timer = setTimeout(() => socket.destroy(new Error(`connect timeout after ${options.connect_timeout} s`)), options.connect_timeout * 1000);
        socket.once("connect", () => {
          clearTimeout(timer);
          resolve(socket);
        });
        socket.once("error", (err) => {
          clearTimeout(timer);
          reject(err);
        });
      }),
  };
  // `socket` is a documented postgres.js option missing from its type definitions.
  return postgres(url, options as postgres.Options<{ bigint: typeof postgres.BigInt }>);
}

/** Either the pool or an open transaction: repository functions work inside both. */
export type Queryable = Sql | postgres.TransactionSql;
