import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The app's "@/..." imports (tsconfig paths), for tests of page-owned modules.
  resolve: { alias: [{ find: /^@\//, replacement: fileURLToPath(new URL("./", import.meta.url)) }] },
  test: {
    include: [
      "test/unit/**/*.test.ts",
      "test/integration/**/*.int.test.ts",
      "test/reliability/**/*.test.ts",
      "test/e2e/**/*.spec.ts",
    ],
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    // expect.poll's default of 1 s is shorter than a page's data fetch takes on a busy 2-core CI box.
    expect: { poll: { timeout: 10_000 } },
    // Two cores: integration files each get their own database, so two at a time is safe and enough.
    maxWorkers: 2,
  },
});
