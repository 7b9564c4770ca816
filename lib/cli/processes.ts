import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");
const NEXT_BIN = path.join(PROJECT_ROOT, "node_modules/next/dist/bin/next");

/** Node with tsx, running one of our TypeScript entry points. */
export const tsEntry = (file: string, nodeFlags: string[] = []) => [
  process.execPath,
  ...nodeFlags,
  "--import",
  "tsx",
  path.join(PROJECT_ROOT, file),
];

/**
 * The collector's live data is bounded (write queue, request bytes in flight: ~1.7 KB per queued span), but under a
 * flood V8 lets garbage pile up far beyond it. A capped old space makes it collect sooner and keeps the process
 * under 400 MB; the default queue (50,000 spans, ~85 MB) fits well inside. A request's spans live across the
 * awaits of its COPY, so with V8's default young generation they survive scavenges and get promoted; larger
 * semi-spaces let most of them die young. But V8 starts incremental marking whenever the old generation's room
 * below its limit is smaller than the young generation, and with the default starting limit (~95 MB at a 25 MB old
 * generation) that was always true: a full mark-compact every 60-70 ms, ~4 us of CPU per span (`--trace-gc`,
 * `--trace-incremental-marking`: "Start (task)" far below the limit). Starting the old-space limit at 128 MB ends
 * that: 123 -> 21-26 mark-compacts per 600k spans, 15-18 -> 10-11 us of collector CPU per span, peak RSS ~265-290 MiB.
 */
export const COLLECTOR_NODE_FLAGS = [
  "--max-old-space-size=256",
  "--max-semi-space-size=32",
  "--initial-old-space-size=128",
];
/**
 * The web and aggregator hold bounded data too (the roll-up cache has a row budget, reads are folded to the graph
 * limits, a scrape streams its rows), but V8 sizes its heap to the machine and lets garbage grow far past that
 * before collecting: under a flood of 20,000 service names each process reached 700-1,000 MB of RSS. A capped old
 * space makes it collect sooner; WEB_MAX_HEAP_MB / AGGREGATOR_MAX_HEAP_MB raise the caps for bigger fleets.
 */
export const heapFlags = (mb: number) => [`--max-old-space-size=${mb}`];
export const nextCommand = (nodeFlags: string[], ...args: string[]) => [
  process.execPath,
  ...nodeFlags,
  NEXT_BIN,
  ...args,
];

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

/** A run at least this long was healthy: its exit starts the back-off afresh. */
export const STABLE_RUN_MS = 10_000;

/**
 * The restart back-off: quick after a run that was healthy (a kill, an OOM), doubling only while the process keeps
 * dying soon after it starts (a crash loop), up to 30 s. Returns the delay and the new count of quick failures.
 */
export function restartDelay(quickFailures: number, uptimeMs: number): { delayMs: number; quickFailures: number } {
  if (uptimeMs >= STABLE_RUN_MS) return { delayMs: 500, quickFailures: 0 };
  const failures = quickFailures + 1;
  return { delayMs: Math.min(500 * 2 ** failures, 30_000), quickFailures: failures };
}

/** Runs a child process and restarts it (with back-off) if it dies on its own. */
export function supervise(
  name: string,
  command: string[],
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
): Supervised {
  let child: ChildProcess | null = null;
  let stopping = false;
  let quickFailures = 0;
  let exited: Promise<void> = Promise.resolve();

  const run = () => {
    const startedAt = Date.now();
    child = spawn(command[0]!, command.slice(1), { cwd: PROJECT_ROOT, env, stdio: "inherit" });
    exited = new Promise((resolve) =>
      child!.once("exit", (code, signal) => {
        child = null;
        resolve();
        if (stopping) return;
        const next = restartDelay(quickFailures, Date.now() - startedAt);
        quickFailures = next.quickFailures;
        const delay = next.delayMs;
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
