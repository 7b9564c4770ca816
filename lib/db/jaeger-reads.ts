import type { Queryable } from "./pool";

/** Services with spans stored since `since`. */
export async function spanServices(sql: Queryable, since: Date): Promise<string[]> {
  const rows = await sql<{ service: string }[]>`SELECT DISTINCT service_name AS service FROM spans WHERE start_time >= ${since} ORDER BY 1`;
  return rows.map((r) => r.service);
}

/** A service's span names since `since` (every kind, as Jaeger lists them). */
export async function serviceOperations(sql: Queryable, service: string, since: Date): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    SELECT DISTINCT name FROM spans WHERE service_name = ${service} AND start_time >= ${since} ORDER BY 1 LIMIT 2000`;
  return rows.map((r) => r.name);
}
