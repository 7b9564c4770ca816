import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");
const NEXT_BIN = path.join(PROJECT_ROOT, "node_modules/next/dist/bin/next");

/** Node with tsx, running one of our TypeScript entry points. */
export const tsEntry = (file: string, nodeFlags: string[] = []) => [process.execPath, ...nodeFlags, "--import", "tsx", path.join(PROJECT_ROOT, file)];

/**
 * The collector's live data is bounded (write queue, request bytes in flight: ~1.7 KB per queued span), but under a
 * flood V8 lets garbage pile up far beyond it. A capped old space makes it collect sooner and keeps the process
 * under 400 MB; the default queue (50,000 spans, ~85 MB) fits well inside. A request's spans live across the
 * awaits of its COPY, so with V8's default young generation they survive scavenges and get promoted (GC was a fifth
 * of the collector's CPU); 64 MB semi-spaces let most of them die young: a median of 28 instead of 33 us of CPU per
 * span over five alternating runs each; peak RSS 225-300 MiB instead of ~175-190 under the same loads.
 */
export const COLLECTOR_NODE_FLAGS = ["--max-old-space-size=256", "--max-semi-space-size=64"];
export const nextCommand = (...args: string[]) => [process.execPath, NEXT_BIN, ...args];

/** Builds the Next.js app once on a fresh checkout, so `npm start` is the only command a new user needs. */
export function ensureWebBuild(log: (m: string) => void): void {
  if (existsSync(path.join(PROJECT_ROOT, ".next/BUILD_ID"))) return;
  log("building the web app (first start only; `npm run build` rebuilds after changes)");
  const result = spawnSync(process.execPath, [NEXT_BIN, "build"], {
    cwd: PROJECT_ROOT,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`next build failed with exit code ${result.status}`);
}

export interface Supervised {
  stop(): Promise<void>;
}

/** Runs a child process and restarts it (with back-off) if it dies on its own. */
export function supervise(name: string, command: string[], env: NodeJS.ProcessEnv, log: (m: string) => void): Supervised {
  let child: ChildProcess | null = null;
  let stopping = false;
  let restarts = 0;
  let exited: Promise<void> = Promise.resolve();

  const run = () => {
    const startedAt = Date.now();
    child = spawn(command[0]!, command.slice(1), { cwd: PROJECT_ROOT, env, stdio: "inherit" });
    exited = new Promise((resolve) =>
      child!.once("exit", (code, signal) => {
        child = null;
        resolve();
        if (stopping) return;
        restarts = Date.now() - startedAt > 60_000 ? 0 : restarts + 1;
        const delay = Math.min(1000 * 2 ** restarts, 30_000);
        log(`${name} exited (${signal ?? code}); restarting in ${delay} ms`);
        setTimeout(() => !stopping && run(), delay);
      }),
    );
  };
  run();

  return {
    async stop() {
      stopping = true;
      if (!child) return;
      const c = child;
      c.kill("SIGTERM");
      const killer = setTimeout(() => c.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
