/**
 * Ascending order of strings (by UTF-16 code units, never by locale) or bigints: for sorts whose order must be the
 * same everywhere, e.g. row-lock order or ties broken like PostgreSQL compares hex ids.
 */
export const ascending = <T extends string | bigint>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);
