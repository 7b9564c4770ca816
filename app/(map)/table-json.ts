// Lists of same-shaped records (a map's thousands of edges) as a table: each key written once, not once per
// record. A page prop is JSON inside a script string, where every key's quotes are escaped again; the page of a
// 500-service map carried 1.4 MB, most of it keys.

type Row = Record<string, unknown>;

/** A key, and the keys of its value when every record holds a plain object with exactly those keys there. */
type Column = [key: string, nested: string[] | null];

export interface Table {
  columns: Column[];
  /** One flat array per record: the columns' values in order, a nested column's values one after the other. */
  rows: unknown[][];
  /** Per column (by index), the records that do not have its key (optional keys, such as a diff in compare mode). */
  absent: [column: number, rows: number[]][];
}

const isPlainObject = (v: unknown): v is Row => typeof v === "object" && v !== null && !Array.isArray(v);
const sameKeys = (a: string[], b: string[]) => a.length === b.length && a.every((k, i) => k === b[i]);

function nestedKeys(records: Row[], key: string): string[] | null {
  const first = records[0]?.[key];
  if (!isPlainObject(first)) return null;
  const keys = Object.keys(first);
  const fits = (v: unknown) =>
    isPlainObject(v) && sameKeys(Object.keys(v), keys) && Object.values(v).every((x) => x !== undefined);
  return records.every((r) => Object.hasOwn(r, key) && fits(r[key])) ? keys : null;
}

export function toTable(records: Row[]): Table {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const columns: Column[] = keys.map((k) => [k, nestedKeys(records, k)]);
  const absent = new Map<number, number[]>();
  const rows = records.map((r, i) => {
    const row: unknown[] = [];
    columns.forEach(([k, nested], c) => {
      if (nested) for (const n of nested) row.push((r[k] as Row)[n]);
      // As in JSON, a key holding undefined is no key.
      else if (Object.hasOwn(r, k) && r[k] !== undefined) row.push(r[k]);
      else {
        row.push(null);
        const list = absent.get(c);
        if (list) list.push(i);
        else absent.set(c, [i]);
      }
    });
    return row;
  });
  return { columns, rows, absent: [...absent] };
}

// Keys come from the table, so a "__proto__" among them must become an own property, not the prototype.
const put = (o: Row, k: string, value: unknown) =>
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });

export function fromTable<T>(t: Table): T[] {
  const absent = new Map(t.absent.map(([c, rows]) => [c, new Set(rows)]));
  return t.rows.map((row, i) => {
    const o: Row = {};
    let cell = 0;
    t.columns.forEach(([k, nested], c) => {
      if (nested) {
        const inner: Row = {};
        for (const n of nested) put(inner, n, row[cell++]);
        put(o, k, inner);
      } else {
        const value = row[cell++];
        if (!absent.get(c)?.has(i)) put(o, k, value);
      }
    });
    return o as T;
  });
}
