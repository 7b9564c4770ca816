import { AppError, unavailable } from "../errors";

const ourErrorBody = (err: AppError): unknown => ({ error: err.message });

/**
 * The one place errors become HTTP responses: AppError keeps its status and message, the rest are 500s.
 * `errorBody` spells the error the way the API's clients read it (ours, Jaeger's v1 or v3 envelope).
 */
export function jsonHandler<C>(handler: (req: Request, ctx: C) => Promise<unknown>, errorBody = ourErrorBody) {
  return async (req: Request, ctx: C): Promise<Response> => {
    try {
      return Response.json(await handler(req, ctx), { headers: { "cache-control": "no-store" } });
    } catch (err) {
      if (err instanceof AppError) return Response.json(errorBody(err), { status: err.status, headers: err.headers });
      const dbDown = err instanceof Error && /ECONNREFUSED|connect|terminat/i.test(err.message);
      if (dbDown) return Response.json(errorBody(unavailable("database unavailable", 5)), { status: 503, headers: { "retry-after": "5" } });
      console.error(err);
      return Response.json(errorBody(new AppError(500, "internal error")), { status: 500 });
    }
  };
}
