// Builds the real Jaeger UI from its sources and serves it against a running Tracemap, so anyone can repeat the
// Jaeger UI check by hand (not part of `npm test`: the UI's dependencies are over a gigabyte).
//
//   npx tsx bench/jaeger-ui.ts [--tag v2.19.0] [--src <jaeger-ui checkout>] [--tracemap http://127.0.0.1:3000] [--port 16686]
//
// Then open http://127.0.0.1:16686 (Search, trace view, Compare, System Architecture, Monitor). Jaeger UI's /api is
// proxied to Tracemap's /jaeger/api; with DASHBOARD_PASSWORD set, pass it as TRACEMAP_TOKEN.
import { execFileSync } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createServer, request } from "node:http";
import { extname, join, normalize, resolve } from "node:path";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const tag = arg("tag", "v2.19.0");
const tracemap = new URL(arg("tracemap", "http://127.0.0.1:3000"));
const port = Number(arg("port", "16686"));
const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, stdio: "inherit" });

function sources(): string {
  const given = process.argv.includes("--src") ? resolve(arg("src", ".")) : null;
  if (given) return given;
  const dir = resolve(".cache/jaeger-ui", tag);
  if (!existsSync(join(dir, "package.json"))) {
    mkdirSync(dir, { recursive: true });
    const url = `https://codeload.github.com/jaegertracing/jaeger-ui/tar.gz/refs/tags/${tag}`;
    console.log(`downloading ${url}`);
    run("sh", ["-c", `curl -fsSL ${url} | tar -xz --strip-components=1 -C ${dir}`], dir);
  }
  return dir;
}

function build(dir: string): string {
  const out = join(dir, "packages/jaeger-ui/build");
  if (existsSync(join(out, "index.html"))) return out;
  if (existsSync(join(dir, "pnpm-lock.yaml"))) {
    // 2.20 and later: pnpm, pinned by packageManager.
    const pm = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).packageManager ?? "pnpm@10";
    run("npx", ["-y", pm, "install", "--frozen-lockfile", "--config.engine-strict=false"], dir);
    run("npx", ["-y", pm, "run", "build"], dir);
  } else {
    run("npm", ["ci", "--engine-strict=false", "--no-audit", "--no-fund"], dir);
    run("npm", ["run", "build"], dir);
  }
  return out;
}

// What Jaeger's query service writes into index.html for its backend (static_handler.go): Tracemap serves the
// metrics API (Monitor tab) and searches without a service name; it has no archive storage.
const CAPABILITIES = JSON.stringify({
  archiveStorage: false,
  metricsStorage: true,
  searchWithoutServiceName: true,
  aiAssistant: false,
});
const indexHtml = (root: string) =>
  readFileSync(join(root, "index.html"), "utf8")
    .replace(
      /JAEGER_STORAGE_CAPABILITIES *= *DEFAULT_STORAGE_CAPABILITIES;/,
      `JAEGER_STORAGE_CAPABILITIES = ${CAPABILITIES};`,
    )
    .replace(
      /JAEGER_BACKEND_CAPABILITIES *= *DEFAULT_BACKEND_CAPABILITIES;/,
      `JAEGER_BACKEND_CAPABILITIES = ${CAPABILITIES};`,
    );

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".ico": "image/x-icon",
};

function serve(root: string): void {
  createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://ui");
    if (url.pathname.startsWith("/api/")) {
      const target = new URL(`/jaeger${url.pathname}${url.search}`, tracemap);
      const headers = { ...req.headers, host: target.host };
      if (process.env.TRACEMAP_TOKEN) headers.authorization = `Bearer ${process.env.TRACEMAP_TOKEN}`;
      const upstream = request(target, { method: req.method, headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on("error", (e) => res.writeHead(502).end(`Tracemap at ${tracemap.origin}: ${e.message}`));
      req.pipe(upstream);
      return;
    }
    // Static files; every other path is the single-page app's index.html.
    const file = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory() || file.endsWith("index.html")) {
      res.writeHead(200, { "content-type": "text/html" }).end(indexHtml(root));
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  }).listen(port, "127.0.0.1", () =>
    console.log(`Jaeger UI ${tag} on http://127.0.0.1:${port}, /api -> ${tracemap.origin}/jaeger/api`),
  );
}

serve(build(sources()));
