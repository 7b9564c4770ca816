import { jaegerErrorBody } from "../domain/jaeger";
import { v3ErrorBody } from "../domain/jaeger-v3";
import { jsonHandler } from "./respond";

/** Jaeger v1 routes: errors in Jaeger's envelope (`errors[].msg`), which Jaeger UI prints. */
export const jaegerHandler = <C>(handler: (req: Request, ctx: C) => Promise<unknown>) =>
  jsonHandler(handler, jaegerErrorBody);

/** Jaeger api_v3 routes: errors as its HTTP gateway writes them. */
export const jaegerV3Handler = <C>(handler: (req: Request, ctx: C) => Promise<unknown>) =>
  jsonHandler(handler, v3ErrorBody);
