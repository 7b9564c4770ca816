import postgres from "postgres";

export type Sql = postgres.Sql;

/** postgres.js pool for bulk ingest and heavy SQL. Bigints come back as JS bigint, never as lossy numbers. */
export function createSql(url: string, opts: { max?: number; connectTimeoutSeconds?: number } = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: opts.connectTimeoutSeconds ?? 5,
    onnotice: () => {},
    types: { bigint: postgres.BigInt },
  });
}

/** Either the pool or an open transaction: repository functions work inside both. */
export type Queryable = Sql | postgres.TransactionSql;
