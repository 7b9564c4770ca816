import PageError from "@/app/components/PageError";
import { formatDuration, serviceColor } from "@/app/components/service-colors";
import { compareTraces, type CompareSide } from "@/lib/domain/trace-compare";
import { badRequest } from "@/lib/errors";
import { isTraceId, loadTrace } from "@/lib/query/traces";
import { webSql } from "@/lib/query/web-pool";

export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const idParam = (v: string | string[] | undefined, name: string): string | null => {
  const s = (Array.isArray(v) ? v[0] : v)?.trim().toLowerCase() ?? "";
  if (s === "") return null;
  if (!isTraceId(s.padStart(32, "0"))) throw badRequest(`${name} must be a trace id (up to 32 hex digits)`);
  return s.padStart(32, "0");
};

const side = (s: CompareSide | null) =>
  s
    ? `${formatDuration(s.ms)}${s.spans > 1 ? ` (${s.spans} spans)` : ""}${s.errors ? `, ${s.errors} failed` : ""}`
    : "—";

/** Two traces side by side, aligned by call path: where they differ and by how much. */
export default async function ComparePage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  let a: string | null;
  let b: string | null;
  let nodes: ReturnType<typeof compareTraces> = [];
  try {
    a = idParam(params.a, "a");
    b = idParam(params.b, "b");
    if (a && b) {
      const [ra, rb] = await Promise.all([loadTrace(webSql(), a), loadTrace(webSql(), b)]);
      if (ra.length === 0) throw badRequest(`trace a (${a}) has no stored spans`);
      if (rb.length === 0) throw badRequest(`trace b (${b}) has no stored spans`);
      nodes = compareTraces(ra, rb);
    }
  } catch (err) {
    return <PageError what="the comparison" error={err} />;
  }
  return (
    <>
      <h1>Compare traces</h1>
      <form className="controls" method="get" aria-label="Traces to compare">
        <label>
          A <input name="a" defaultValue={a ?? ""} placeholder="trace id" size={34} />
        </label>
        <label>
          B <input name="b" defaultValue={b ?? ""} placeholder="trace id" size={34} />
        </label>
        <button type="submit">Compare</button>
      </form>
      {a && b ? (
        <>
          <p className="muted">
            Call paths of both traces, aligned by service and span name from the root.{" "}
            <a href={`/traces/${a}`}>open A</a> · <a href={`/traces/${b}`}>open B</a> · Δ is B − A.
          </p>
          <table data-testid="compare">
            <thead>
              <tr>
                <th>Call path</th>
                <th>In</th>
                <th className="num">A</th>
                <th className="num">B</th>
                <th className="num">Δ</th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((n) => (
                <tr key={n.key} data-presence={n.a && n.b ? "both" : n.a ? "a" : "b"}>
                  <td style={{ paddingLeft: 8 + n.depth * 16 }}>
                    <span className="swatch" style={{ background: serviceColor(n.service) }} /> {n.service}{" "}
                    {n.peer ? <span className="peer">→ {n.peer} </span> : null}
                    {n.name || "(unnamed)"}
                  </td>
                  <td>{n.a && n.b ? "both" : n.a ? "A only" : "B only"}</td>
                  <td className="num">{side(n.a)}</td>
                  <td className="num">{side(n.b)}</td>
                  <td className="num" data-testid="delta">
                    {n.deltaMs === null ? "" : `${n.deltaMs >= 0 ? "+" : "−"}${formatDuration(Math.abs(n.deltaMs))}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p className="muted">Give two trace ids, or pick A and B in a trace search.</p>
      )}
    </>
  );
}
