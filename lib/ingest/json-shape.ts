// Shape checks for decoded JSON or msgpack documents, shared by the receivers that read them.
export type Json = Record<string, unknown>;

/** A plain object (not null, not an array). */
export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
