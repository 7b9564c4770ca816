import { describe, expect, it } from "vitest";
import { requestUrlProblem } from "../../lib/http/url-guard";

describe("requestUrlProblem", () => {
  it.each([
    ["/api/traces/%ff", /path segment "%ff" is not valid percent-encoded UTF-8/],
    ["/services/%ED%A0%80", /not valid percent-encoded UTF-8/],
    ["/services/a%00b", /path contains a NUL/],
    ["/api/graph?from=now-1h%00", /query parameter "from" contains a NUL/],
    ["/api/graph?q=%E0%A4%A", /query parameter "q=%E0%A4%A" is not valid/],
  ])("refuses %s", (url, message) => {
    expect(requestUrlProblem(url)).toMatch(message);
  });

  it.each(["/", "/services/caf%C3%A9", "/api/graph?from=now-15m&to=now&q=a+b%20c", "/traces?attr=k%3Dv&&x", "/a//b?"])(
    "lets %s through",
    (url) => {
      expect(requestUrlProblem(url)).toBeNull();
    },
  );
});
