import { AppError, badRequest } from "@/lib/errors";
import { jsonHandler } from "@/lib/query/respond";
import { isTraceId, pinTrace, unpinTrace } from "@/lib/query/traces";
import { webPrisma, webSql } from "@/lib/query/web-pool";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ traceId: string }> };

async function traceIdOf(ctx: Ctx): Promise<string> {
  const id = (await ctx.params).traceId.toLowerCase();
  if (!isTraceId(id)) throw badRequest("trace id must be 32 hex characters");
  return id;
}

/** Keep a trace past raw-span retention: body { by?, note? } (JSON). */
export const POST = jsonHandler(async (req: Request, ctx: Ctx) => {
  const id = await traceIdOf(ctx);
  let body: { by?: unknown; note?: unknown } = {};
  try {
    body = (await req.json()) as typeof body;
  } catch {
    throw badRequest('body must be JSON like {"by": "alice", "note": "slow checkout"}');
  }
  const text = (v: unknown, field: string, max: number) => {
    if (v === undefined || v === null) return "";
    if (typeof v !== "string" || v.length > max || !v.isWellFormed() || v.includes("\u0000")) {
      throw badRequest(`${field} must be text of at most ${max} characters`);
    }
    return v.trim();
  };
  const by = text(body.by, "by", 100) || "anonymous";
  const note = text(body.note, "note", 1000);
  if (!(await pinTrace(webSql(), id, by, note))) throw new AppError(404, `trace ${id} has no stored spans to keep`);
  return { traceId: id, pinned: true, by, note };
});

/** Unpin: the copies go back to normal retention. */
export const DELETE = jsonHandler(async (_req: Request, ctx: Ctx) => {
  const id = await traceIdOf(ctx);
  return { traceId: id, pinned: false, was: await unpinTrace(webPrisma(), id) };
});
