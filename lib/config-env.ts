import type { z } from "zod";

/** Settings as the environment gives them (process.env, or a test's own object). */
export type Settings = Record<string, string | undefined>;

/**
 * A reader of settings from the environment: validated by `schema`, shaped by `build`, and for process.env read
 * once and kept (settings do not change while a process runs; tests pass their own objects).
 */
export function envSettings<S extends z.ZodTypeAny, T>(schema: S, build: (v: z.infer<S>) => T): (env?: Settings) => T {
  let cached: T | null = null;
  return (env = process.env) => {
    if (cached && env === process.env) return cached;
    const settings = build(schema.parse(env));
    if (env === process.env) cached = settings;
    return settings;
  };
}
