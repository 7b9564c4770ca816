"use client";

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ServicePoint } from "@/lib/query/service";
import { chartValue } from "@/app/components/service-colors";
import { formatMs } from "@/app/components/map-style";
import { deployLines, timeTick, type DeployMark } from "@/app/components/DeployMarkers";

/** Rate and errors, then p50/p95/p99, over the page's window; deploys marked on both. */
export default function ServiceCharts({
  series,
  deploys,
  from,
  to,
}: {
  series: ServicePoint[];
  deploys: DeployMark[];
  from: number;
  to: number;
}) {
  // A step not all counted yet is left out of rate and errors: drawn, it would read as a drop.
  const data = series.map((p) => ({
    ts: Date.parse(p.t),
    rate: p.partial ? null : p.ratePerSec,
    errors: p.partial ? null : p.errorRate * 100,
    p50: p.p50,
    p95: p.p95,
    p99: p.p99,
  }));
  const axis = (
    <XAxis
      dataKey="ts"
      type="number"
      scale="time"
      // Both charts show the page's whole window, so their times line up.
      domain={[from, to]}
      allowDataOverflow
      tickFormatter={timeTick}
      fontSize={10}
      minTickGap={30}
    />
  );
  const tip = <Tooltip labelFormatter={(v) => new Date(Number(v)).toLocaleString()} formatter={chartValue} />;
  return (
    <div className="service-charts">
      <figure aria-label="Requests per second and error percentage over time" data-testid="service-red-chart">
        <figcaption>Rate and errors</figcaption>
        <ResponsiveContainer width="100%" height={180}>
          <LineChart data={data} margin={{ left: 0, right: 8, top: 16, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            {axis}
            <YAxis yAxisId="rate" fontSize={10} unit="/s" width={56} />
            <YAxis yAxisId="err" orientation="right" fontSize={10} unit="%" width={44} />
            {tip}
            <Legend wrapperStyle={{ fontSize: 10 }} />
            <Line yAxisId="rate" dataKey="rate" name="req/s" stroke="#0077BB" dot={false} isAnimationActive={false} />
            <Line
              yAxisId="err"
              dataKey="errors"
              name="errors %"
              stroke="#CC3311"
              dot={false}
              isAnimationActive={false}
            />
            {deployLines(deploys, "rate", [from, to])}
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure aria-label="Latency percentiles over time" data-testid="service-latency-chart">
        <figcaption>Latency (server spans)</figcaption>
        <ResponsiveContainer width="100%" height={180}>
          <LineChart data={data} margin={{ left: 0, right: 8, top: 16, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            {axis}
            <YAxis fontSize={10} width={56} tickFormatter={(v: number) => formatMs(v)} />
            {/* Same width on the right as the error axis above, so both plots span the same times. */}
            <YAxis yAxisId="none" orientation="right" width={44} tick={false} axisLine={false} />
            {tip}
            <Legend wrapperStyle={{ fontSize: 10 }} />
            <Line dataKey="p50" name="p50" stroke="#009988" dot={false} isAnimationActive={false} connectNulls />
            <Line dataKey="p95" name="p95" stroke="#EE7733" dot={false} isAnimationActive={false} connectNulls />
            <Line dataKey="p99" name="p99" stroke="#CC3311" dot={false} isAnimationActive={false} connectNulls />
            {deployLines(deploys, undefined, [from, to])}
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}
