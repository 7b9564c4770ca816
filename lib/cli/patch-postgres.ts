// postgres.js 3.4.9 has two defects that take an ingest process down or wedge it when PostgreSQL restarts
// during a write (reproduced by test/reliability/database-outage.test.ts; upstream porsager/postgres #1154,
// #1208, PR #1168):
//  1. a small write deferred with setImmediate runs after the socket closed and throws on `null.write`,
//     an uncatchable exception that kills the process;
//  2. teardown clears the deferred-write timer without resetting it, so a pooled connection that reconnects
//     never flushes again and every later query on it hangs;
//  3. an error raised by the server after the client ended a COPY FROM STDIN (a unique violation found while
//     the last rows are inserted, say) never reaches the writable stream: its final callback is not called,
//     so the COPY and its transaction hang. The collector's direct COPY relies on seeing that error;
//  4. every new connection first fetches the array types with an internal query whose promise is dropped
//     (upstream #1192, #1205, #1223): when PostgreSQL goes away or cancels it at that moment, the rejection is
//     unhandled and Node exits. Seen as the collector dying (ECONNRESET, ECONNREFUSED) while PostgreSQL
//     restarted. The connection's own error path already fails the queries waiting on it.
// Run at postinstall (idempotent); it refuses loudly if the code it patches has changed.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "./processes";

const MARK = "/* tracemap-patch */";
const FILES = ["src/connection.js", "cjs/src/connection.js", "cf/src/connection.js"];
const root = path.join(PROJECT_ROOT, "node_modules/postgres");

const version = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version as string;
if (version !== "3.4.9") {
  console.error(
    `patch-postgres: postgres ${version} installed, the patch is written for 3.4.9; check whether upstream fixed #1154/#1208 and update lib/cli/patch-postgres.ts`,
  );
  process.exit(1);
}

// Each patch is applied unless its own mark is there, so a tree patched by an older version of this script
// gets only what it lacks.
for (const file of FILES) {
  const full = path.join(root, file);
  let src = readFileSync(full, "utf8");
  const original = src;
  if (!src.includes(`if (!socket) { ${MARK}`)) {
    const guard = "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)";
    if (!src.includes(guard)) throw new Error(`patch-postgres: nextWrite not found in ${file}`);
    src = src.replace(
      guard,
      `  function nextWrite(fn) {
    if (!socket) { ${MARK}
      chunk = nextWriteTimer = null
      fn && fn(Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' }))
      return false
    }
    const x = socket.write(chunk, fn)`,
    );
    const teardown = /\n(\s+)clearImmediate\(nextWriteTimer\)\n/g;
    const count = src.match(teardown)?.length ?? 0;
    if (count !== 2) throw new Error(`patch-postgres: expected 2 teardown clears in ${file}, found ${count}`);
    src = src.replace(teardown, `\n$1clearImmediate(nextWriteTimer), nextWriteTimer = null, chunk = null ${MARK}\n`);
  }
  const finalCall = `    final && (final(err), final = null) ${MARK}\n`;
  if (!src.includes(finalCall)) {
    const errored = "  function errored(err) {\n    stream && (stream.destroy(err), stream = null)\n";
    if (!src.includes(errored)) throw new Error(`patch-postgres: errored() not found in ${file}`);
    src = src.replace(errored, errored + finalCall);
  }
  const typesCall = "return fetchArrayTypes()\n";
  if (!src.includes(`return fetchArrayTypes().catch(() => {}) ${MARK}`)) {
    if (src.split(typesCall).length !== 2)
      throw new Error(`patch-postgres: one fetchArrayTypes call expected in ${file}`);
    src = src.replace(typesCall, `return fetchArrayTypes().catch(() => {}) ${MARK}\n`);
  }
  if (src !== original) writeFileSync(full, src);
}
console.error(
  "patch-postgres: postgres.js 3.4.9 patched (closed-socket guard, timer reset, COPY errors after end, array-types fetch)",
);
