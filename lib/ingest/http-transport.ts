import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { AppError } from "../errors";
import { defaultBodyDeadlines, mediaType, readBody } from "./body";
import { accept, refused, type ReceiverOptions } from "./receive";
import type { HttpReceiver, Reply } from "./receivers";

/** One HTTP server for one receiver: its paths and methods, the collector's probes if it takes them. */
export function createHttpReceiverServer(r: HttpReceiver, opts: ReceiverOptions): Server {
  const deadlines = opts.bodyDeadlines ?? defaultBodyDeadlines;
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const probe = req.method === "GET" && r.probes ? opts.probes?.[path] : undefined;
    const run = async () => {
      if (probe) {
        const p = await probe();
        return send(res, { ...p, headers: { "cache-control": "no-store" } });
      }
      if (!r.paths.includes(path)) throw new AppError(404, `no route for ${path}`);
      if (!r.methods.includes(req.method ?? "")) {
        throw new AppError(405, `use ${r.methods.join(" or ")} for ${path}`, { allow: r.methods.join(", ") });
      }
      const type = mediaType(req);
      const read = () => {
        if (!r.accepts.includes(type)) throw new AppError(415, `unsupported content-type "${type}"; ${r.mediaHint}`);
        return readBody(req, opts.maxBodyBytes, opts.budget && { budget: opts.budget, until: res }, opts.bodyDeadlines);
      };
      const batch = await accept(r, opts, req.headers.authorization, read, type);
      send(res, r.reply(batch, type, opts.log));
    };
    run().catch(async (err: unknown) => {
      const e = probe ? new AppError(500, "internal error") : refused(r, opts, err);
      if (res.headersSent) return res.destroy();
      // A refused request's body is read and discarded before answering (except when it is the problem: too large
      // or too slow): answering mid-upload makes clients see a reset connection instead of the 503 and its Retry-After.
      const bodyIsTheProblem = e.status === 413 || e.status === 408;
      const stalled =
        e.status === 408 ||
        (!req.complete && !bodyIsTheProblem && !(await discardBody(req, opts.maxBodyBytes, deadlines.idleMs)));
      send(res, r.errorReply(e, mediaType(req)));
      // A stalled sender is not waited for: the connection closes once the answer is out, releasing its bytes.
      if (stalled) res.once("finish", () => req.socket.destroy());
      else if (!req.complete) req.resume();
    });
  });
  // Node's own limit for a whole request (300 s by default) is the backstop behind the body deadlines.
  server.requestTimeout = deadlines.totalMs + 5_000;
  return server;
}

/** Reads and drops the rest of a body; false when the sender stalled for `idleMs` before the end. */
function discardBody(req: IncomingMessage, maxBytes: number, idleMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = 0;
    let timer = setTimeout(() => done(false), idleMs);
    const done = (ended: boolean) => {
      clearTimeout(timer);
      req.off("data", onData);
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) return done(true);
      clearTimeout(timer);
      timer = setTimeout(() => done(false), idleMs);
    };
    req.on("data", onData);
    req.once("end", () => done(true));
    req.once("close", () => done(true));
    req.resume();
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const headers = { ...(reply.type ? { "content-type": reply.type } : {}), ...reply.headers };
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}
