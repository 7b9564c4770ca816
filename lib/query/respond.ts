import type { AppError } from "../errors";
import { queryError } from "./errors";

const ourErrorBody = (err: AppError): unknown => ({ error: err.message });

/**
 * The one place errors become HTTP responses (see queryError). `errorBody` spells the error the way the API's
 * clients read it (ours, Jaeger's v1 or v3 envelope).
 */
export function jsonHandler<C>(handler: (req: Request, ctx: C) => Promise<unknown>, errorBody = ourErrorBody) {
  return async (req: Request, ctx: C): Promise<Response> => {
    try {
      return Response.json(await handler(req, ctx), { headers: { "cache-control": "no-store" } });
    } catch (err) {
      const e = queryError(err);
      return Response.json(errorBody(e), { status: e.status, headers: e.headers });
    }
  };
}
