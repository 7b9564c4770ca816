// Requests whose URL can only fail further down (pure): text PostgreSQL cannot hold (NUL), percent-encoding that
// does not decode, bytes that are not UTF-8. They get a 400 naming the problem before any route reads them.
const isStorableText = (s: string) => s.isWellFormed() && !s.includes("\u0000");

/** Why this request URL (as sent: path and query, percent-encoded) is refused, or null. */
export function requestUrlProblem(rawUrl: string): string | null {
  const q = rawUrl.indexOf("?");
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = q === -1 ? "" : rawUrl.slice(q + 1);
  for (const segment of path.split("/")) {
    let text: string;
    try {
      text = decodeURIComponent(segment);
    } catch {
      return `path segment "${segment.slice(0, 80)}" is not valid percent-encoded UTF-8`;
    }
    if (!isStorableText(text)) return "path contains a NUL character";
  }
  for (const pair of query.split("&")) {
    if (!pair) continue;
    let text: string;
    try {
      text = decodeURIComponent(pair.replaceAll("+", " "));
    } catch {
      return `query parameter "${pair.slice(0, 80)}" is not valid percent-encoded UTF-8`;
    }
    if (!isStorableText(text)) return `query parameter "${pair.split("=")[0]!.slice(0, 80)}" contains a NUL character`;
  }
  return null;
}
