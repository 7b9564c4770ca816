import { expect, it } from "vitest";
import { restartDelay, STABLE_RUN_MS } from "../../lib/cli/processes";

it("restarts a process that ran healthily at once, however often it was killed", () => {
  let state = { delayMs: 0, quickFailures: 0 };
  const delays: number[] = [];
  // The red team's run: four kills in a minute of a collector that starts in a second and then serves.
  for (let i = 0; i < 4; i++) {
    state = restartDelay(state.quickFailures, STABLE_RUN_MS + 1000);
    delays.push(state.delayMs);
  }
  expect(delays).toEqual([500, 500, 500, 500]);
});

it("backs off while a process keeps dying right after it starts, and starts afresh after a healthy run", () => {
  let state = { delayMs: 0, quickFailures: 0 };
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    state = restartDelay(state.quickFailures, 200);
    delays.push(state.delayMs);
  }
  expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  expect(restartDelay(state.quickFailures, STABLE_RUN_MS)).toEqual({ delayMs: 500, quickFailures: 0 });
});
