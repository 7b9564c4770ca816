// Page URLs whose parameters cannot be shown (pure): a time that does not parse, a window backwards or too long, a
// trace id that is not one. The proxy answers them with a 400 page that names the problem and links to a fix,
// before the page renders (a streamed page has already sent its 200).
import { AppError } from "../errors";
import { isHexTraceId } from "../model/ids";
import { parseWindow } from "../model/window";

export interface PageParamProblem {
  message: string;
  /** The same view with the bad parameters left out (or where to go instead). */
  fix: string;
  fixLabel: string;
}

const WINDOWED_PAGES = /^\/(services\/[^/]+|traces|traces\/compare)?$/;

export function pageParamProblem(pathname: string, params: URLSearchParams, now = Date.now()): PageParamProblem | null {
  const trace = /^\/traces\/([^/]+)$/.exec(pathname);
  if (trace && trace[1] !== "compare" && !isHexTraceId(decodeURIComponent(trace[1]!).toLowerCase()))
    return {
      message: `"${decodeURIComponent(trace[1]!).slice(0, 80)}" is not a trace id: expected 32 hex characters`,
      fix: "/traces",
      fixLabel: "Search recent traces",
    };
  if (!WINDOWED_PAGES.test(pathname) || (!params.has("from") && !params.has("to"))) return null;
  try {
    parseWindow(params, now);
    return null;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const rest = new URLSearchParams(params);
    rest.delete("from");
    rest.delete("to");
    const q = rest.toString();
    return {
      message: err.message,
      fix: `${pathname}${q ? `?${q}` : ""}`,
      fixLabel: "Open the same view over the default window",
    };
  }
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The 400 page: what is wrong, and links to the fixed view, the map and trace search. No scripts, no styles. */
export function pageParamProblemHtml(p: PageParamProblem): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad request · Tracemap</title></head>
<body><h1>400 Bad request</h1><p role="alert">${escapeHtml(p.message)}</p>
<p><a href="${escapeHtml(p.fix)}">${escapeHtml(p.fixLabel)}</a> · <a href="/">Map</a> · <a href="/traces">Recent traces</a>
</p><p>Times are ISO-8601 (2026-12-05T10:00:00Z), epoch milliseconds, or relative: now-15m, now-6h, now-7d.</p>
</body></html>`;
}
