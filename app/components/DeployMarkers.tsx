import { ReferenceLine } from "recharts";

export interface DeployMark {
  service: string;
  version: string;
  at: string;
}

/** Vertical lines where a service started reporting a new service.version; for a numeric time axis. */
export function deployLines(deploys: DeployMark[], yAxisId?: string) {
  return deploys.map((d) => (
    <ReferenceLine
      key={`${d.service}@${d.version}`}
      x={Date.parse(d.at)}
      yAxisId={yAxisId}
      stroke="#AA3377"
      strokeDasharray="4 2"
      label={{ value: `${d.service} ${d.version}`, position: "insideTopLeft", fontSize: 10, fill: "#AA3377" }}
    />
  ));
}

export const timeTick = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
