import { ReferenceLine } from "recharts";

export interface DeployMark {
  service: string;
  version: string;
  at: string;
}

/**
 * Vertical lines where a service started reporting a new service.version; for a numeric time axis. Labels on the
 * right half of `domain` are written leftwards, so they are never cut off at the chart's edge.
 */
export function deployLines(deploys: DeployMark[], yAxisId?: string, domain?: [number, number]) {
  return deploys.map((d) => {
    const x = Date.parse(d.at);
    const leftwards = domain !== undefined && x > (domain[0] + domain[1]) / 2;
    return (
      <ReferenceLine
        key={`${d.service}@${d.version}`}
        x={x}
        yAxisId={yAxisId}
        stroke="#AA3377"
        strokeDasharray="4 2"
        label={{
          value: `${d.service} ${d.version}`,
          position: leftwards ? "insideTopRight" : "insideTopLeft",
          fontSize: 10,
          fill: "#AA3377",
        }}
      />
    );
  });
}

export const timeTick = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
