"use client";

/**
 * What the figures cover: the aggregation watermark and how far it is behind now. Numbers shown without it would
 * read as "now" while the last seconds are not counted yet.
 */
export default function AsOf({ settledUntil }: { settledUntil: string | null }) {
  if (!settledUntil)
    return (
      <span className="muted as-of" data-testid="as-of">
        nothing counted yet
      </span>
    );
  const at = new Date(settledUntil);
  const lag = Math.max(0, Math.round((Date.now() - at.getTime()) / 1000));
  return (
    <span
      className="muted as-of"
      data-testid="as-of"
      title={`Everything acknowledged before ${at.toISOString()} is counted, except calls still waiting for their partner`}
      suppressHydrationWarning
    >
      as of {at.toLocaleTimeString()} (lag {lag} s)
    </span>
  );
}
