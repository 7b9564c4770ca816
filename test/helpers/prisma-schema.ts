import { readFileSync } from "node:fs";

// Just enough of the Prisma schema language to compare models with the live database.
export interface SchemaColumn {
  column: string;
  pgType: string;
  nullable: boolean;
  hasDefault: boolean;
}
export interface SchemaTable {
  model: string;
  table: string;
  columns: SchemaColumn[];
  primaryKey: string[];
  /** Each index as its access method and columns: "btree:service_name,start_time". */
  indexes: string[];
}

const SCALARS: Record<string, string> = {
  String: "text",
  Int: "int4",
  BigInt: "int8",
  Bytes: "bytea",
  DateTime: "timestamp",
  Json: "jsonb",
  Boolean: "bool",
  Float: "float8",
  Decimal: "numeric",
};
const NATIVE: Record<string, string> = {
  SmallInt: "int2",
  Integer: "int4",
  Timestamptz: "timestamptz",
  Timestamp: "timestamp",
  Text: "text",
  ByteA: "bytea",
  JsonB: "jsonb",
  Json: "json",
  Uuid: "uuid",
  VarChar: "varchar",
  DoublePrecision: "float8",
};

export function parsePrismaSchema(path: string): SchemaTable[] {
  const text = readFileSync(path, "utf8");
  const tables: SchemaTable[] = [];
  for (const m of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const body = m[2]!
      .split("\n")
      .map((l) => l.replace(/\/\/.*$/, "").trim())
      .filter(Boolean);
    const fieldToColumn = new Map<string, string>();
    const columns: SchemaColumn[] = [];
    let table = m[1]!;
    const blockAttrs: string[] = [];
    let fieldPrimaryKey: string[] = [];
    for (const line of body) {
      if (line.startsWith("@@")) {
        blockAttrs.push(line);
        continue;
      }
      const f = /^(\w+)\s+(Unsupported\("([^"]+)"\)|\w+)(\?)?(.*)$/.exec(line);
      if (!f) continue;
      const [, name, type, unsupported, optional, rest] = f;
      const column = /@map\("([^"]+)"\)/.exec(rest!)?.[1] ?? name!;
      const native = /@db\.(\w+)/.exec(rest!)?.[1];
      const scalar = unsupported ?? (native ? NATIVE[native] : SCALARS[type!]);
      if (!scalar) throw new Error(`unknown type ${type} for ${name}`);
      // A list (String[]) is a PostgreSQL array, whose type name is the element's with a leading underscore.
      const pgType = rest!.startsWith("[]") ? `_${scalar}` : scalar;
      fieldToColumn.set(name!, column);
      if (/@id\b/.test(rest!)) fieldPrimaryKey = [column];
      columns.push({ column, pgType, nullable: optional === "?", hasDefault: rest!.includes("@default(") });
    }
    // "[a, b(ops: X)]" -> column names of a and b
    const fields = (attr: string) =>
      /\[([^\]]*)\]/
        .exec(attr)![1]!
        .split(",")
        .map((s) => fieldToColumn.get(s.trim().replace(/\(.*\)$/, ""))!);
    let primaryKey = fieldPrimaryKey;
    const indexes: string[] = [];
    for (const a of blockAttrs) {
      if (a.startsWith("@@map(")) table = /"([^"]+)"/.exec(a)![1]!;
      else if (a.startsWith("@@id(")) primaryKey = fields(a);
      else if (a.startsWith("@@index("))
        indexes.push(`${(/type:\s*(\w+)/.exec(a)?.[1] ?? "btree").toLowerCase()}:${fields(a).join(",")}`);
    }
    tables.push({ model: m[1]!, table, columns, primaryKey, indexes });
  }
  return tables;
}
