import { describe, expect, it } from "vitest";
import { pageParamProblem, pageParamProblemHtml } from "../../lib/http/page-params";

const problem = (path: string, query = "") => pageParamProblem(path, new URLSearchParams(query), Date.UTC(2026, 11, 5));

describe("page parameters", () => {
  it("lets good windows, pages without a window and API routes through", () => {
    expect(problem("/", "from=now-1h")).toBeNull();
    expect(problem("/services/orders", "from=2026-12-04T10:00:00Z&to=now")).toBeNull();
    expect(problem("/traces/compare", "a=1")).toBeNull();
    expect(problem(`/traces/${"ab".repeat(16)}`)).toBeNull();
    expect(problem("/api/graph", "from=bad")).toBeNull(); // the API answers for itself
  });

  it("names the problem and links to the same view without the bad window", () => {
    expect(problem("/", "from=yesterday&labels=p95")).toMatchObject({
      message: expect.stringMatching(/^from: expected ISO-8601/),
      fix: "/?labels=p95",
    });
    expect(problem("/services/orders", "from=now-1h&to=now-2h")?.message).toBe("from must be before to");
    expect(problem("/traces", "from=now-60d")?.message).toMatch(/31 days/);
    expect(problem("/traces/not-an-id")).toMatchObject({
      fix: "/traces",
      message: expect.stringContaining("not a trace id"),
    });
  });

  it("renders what the visitor sent as text", () => {
    const html = pageParamProblemHtml(problem("/", 'from=<img src=x onerror="alert(1)">')!);
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });
});
