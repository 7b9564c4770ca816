import { AppError } from "../errors";

/** The one place errors become HTTP responses: AppError keeps its status and message, the rest are 500s. */
export function jsonHandler<C>(handler: (req: Request, ctx: C) => Promise<unknown>) {
  return async (req: Request, ctx: C): Promise<Response> => {
    try {
      return Response.json(await handler(req, ctx), { headers: { "cache-control": "no-store" } });
    } catch (err) {
      if (err instanceof AppError) return Response.json({ error: err.message }, { status: err.status, headers: err.headers });
      const dbDown = err instanceof Error && /ECONNREFUSED|connect|terminat/i.test(err.message);
      if (dbDown) return Response.json({ error: "database unavailable" }, { status: 503, headers: { "retry-after": "5" } });
      console.error(err);
      return Response.json({ error: "internal error" }, { status: 500 });
    }
  };
}
