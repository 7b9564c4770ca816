import { spawnSync } from "node:child_process";
import { writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "./processes";

// `prisma generate` needs no schema engine, but the CLI tries to download one unless this variable names
// an existing file. Offline machines (and CI) have none, so point it at a placeholder.
const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  const placeholder = path.join(tmpdir(), "tracemap-no-schema-engine");
  writeFileSync(
    placeholder,
    "#!/bin/sh\necho 'schema engine not installed: migrations are applied by npm run migrate' >&2\nexit 1\n",
    { mode: 0o755 },
  );
  env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
}
const prismaBin = path.join(PROJECT_ROOT, "node_modules/prisma/build/index.js");
const result = spawnSync(process.execPath, [prismaBin, "generate"], { cwd: PROJECT_ROOT, env, stdio: "inherit" });
process.exit(result.status ?? 1);
