import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, expect } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { retryOnTakenPort } from "./ports";

export interface RunningProduct {
  ports: { web: number; otlpHttp: number; otlpGrpc: number; zipkin: number; pg: number };
  output: () => string;
  /**
   * Sends SIGTERM (or `signal`) and resolves with the exit code. With `wholeGroup`, the signal goes to the product's
   * whole process group, as a terminal's Ctrl-C does.
   */
  stop(signal?: NodeJS.Signals, wholeGroup?: boolean): Promise<number | null>;
}

const randomPort = (base: number) => base + Math.floor(Math.random() * 1000);

/**
 * Starts the whole product exactly as `npm start` does, on an embedded database in a fresh directory. Its ports are
 * random: one that another socket (often an outgoing connection's ephemeral port) holds makes the start fail, and
 * then it is tried again on other ports.
 */
export function startProduct(extraEnv: Record<string, string> = {}, timeoutMs = 180_000): Promise<RunningProduct> {
  return retryOnTakenPort(() => startProductOnce(extraEnv, timeoutMs), /did not start on port|EADDRINUSE/);
}

async function startProductOnce(extraEnv: Record<string, string>, timeoutMs: number): Promise<RunningProduct> {
  const ports = {
    web: randomPort(31000),
    otlpHttp: randomPort(32000),
    otlpGrpc: randomPort(33000),
    zipkin: randomPort(34000),
    pg: randomPort(35000),
  };
  const dataDir = mkdtempSync(path.join(tmpdir(), "tracemap-product-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: "",
    TRACEMAP_DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(ports.pg),
    WEB_PORT: String(ports.web),
    OTLP_HTTP_PORT: String(ports.otlpHttp),
    OTLP_GRPC_PORT: String(ports.otlpGrpc),
    ZIPKIN_PORT: String(ports.zipkin),
    XRAY_PORT: String(ports.zipkin + 1),
    DATADOG_PORT: String(randomPort(37000)),
    INGEST_HOST: "127.0.0.1",
    ...extraEnv,
  };
  // A process group of its own, like a job a terminal starts: a Ctrl-C can then be sent to all of it.
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "lib/cli/start.ts"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // 'exit' can come before the last output is read (Node's documented order), and shutdown writes its lines last:
  // after the exit, wait for the pipes to close, or for two seconds should a stray process hold them.
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));

  const deadline = Date.now() + timeoutMs;
  const ready = async (url: string, init?: RequestInit) => {
    try {
      return (await fetch(url, init)).status < 500;
    } catch {
      return false;
    }
  };
  while (
    !(await ready(`http://127.0.0.1:${ports.web}/`)) ||
    !(await ready(`http://127.0.0.1:${ports.otlpHttp}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    }))
  ) {
    if (child.exitCode !== null) throw new Error(`product exited early (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`product did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    ports,
    output: () => out,
    async stop(signal = "SIGTERM", wholeGroup = false) {
      if (wholeGroup) process.kill(-child.pid!, signal);
      else child.kill(signal);
      const code = await exited;
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2_000))]);
      rmSync(dataDir, { recursive: true, force: true }); // a product's database is ~1 GiB of /tmp
      return code;
    },
  };
}

/**
 * For a test file: the whole product, started before its tests and stopped after them (exit code 0 expected).
 * Read `ctx.product` inside tests (it is set once beforeAll has run).
 */
export function useProduct(extraEnv: Record<string, string> = {}): { product: RunningProduct } {
  const ctx = {} as { product: RunningProduct };
  beforeAll(async () => {
    ctx.product = await startProduct(extraEnv);
  }, 300_000);
  afterAll(async () => {
    if (ctx.product) expect(await ctx.product.stop()).toBe(0);
  });
  return ctx;
}
