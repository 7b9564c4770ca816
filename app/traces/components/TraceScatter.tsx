"use client";

import { formatDuration } from "@/app/components/service-colors";
import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from "recharts";

export interface ScatterPoint {
  traceId: string;
  t: number;
  ms: number;
  error: boolean;
  label: string;
}

/** Duration over time of the search hits across the whole query window; a click opens the trace. */
export default function TraceScatter({ points, from, to }: { points: ScatterPoint[]; from: number; to: number }) {
  const open = (p: { payload?: ScatterPoint }) => {
    if (p.payload) window.location.href = `/traces/${p.payload.traceId}`;
  };
  const series = [
    { name: "ok", fill: "#0077BB", data: points.filter((p) => !p.error) },
    { name: "error", fill: "#CC3311", data: points.filter((p) => p.error) },
  ];
  return (
    <figure className="chart" data-testid="trace-scatter" aria-label="Duration of matching traces over time">
      <ResponsiveContainer width="100%" height={220}>
        <ScatterChart margin={{ left: 8, right: 16, top: 8, bottom: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            domain={[from, to]}
            allowDataOverflow
            tickFormatter={(t: number) => new Date(t).toLocaleTimeString()}
            fontSize={10}
          />
          <YAxis dataKey="ms" type="number" tickFormatter={(v: number) => formatDuration(v)} fontSize={10} />
          <Tooltip
            formatter={(v, name) =>
              name === "t" ? new Date(Number(v)).toLocaleTimeString() : formatDuration(Number(v))
            }
            labelFormatter={() => ""}
          />
          {series.map((s) => (
            <Scatter
              key={s.name}
              name={s.name}
              data={s.data}
              fill={s.fill}
              onClick={open}
              isAnimationActive={false}
              cursor="pointer"
            />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </figure>
  );
}
