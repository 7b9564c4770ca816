"use client";

import { useEffect, useRef, type MouseEvent } from "react";
import type { TraceRow } from "@/lib/domain/trace-tree";

const HEIGHT = 64;

interface Props {
  rows: TraceRow[];
  total: number;
  rowHeight: number;
  scrollTop: number;
  viewport: number;
  onScroll: (top: number) => void;
}

/** The whole (expanded) trace in 64 px with the visible part outlined; click or drag to move there. */
export default function TraceMinimap({ rows, total, rowHeight, scrollTop, viewport, onScroll }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext("2d");
    if (!c || !ctx) return;
    c.width = c.clientWidth * devicePixelRatio;
    c.height = HEIGHT * devicePixelRatio;
    ctx.scale(devicePixelRatio, devicePixelRatio);
    const w = c.clientWidth;
    const h = Math.max(HEIGHT / rows.length, 0.5);
    const styles = getComputedStyle(c);
    rows.forEach((r, i) => {
      ctx.fillStyle = r.error
        ? styles.getPropertyValue("--err") || "#CC3311"
        : r.critical
          ? "#EE7733"
          : styles.getPropertyValue("--accent") || "#0077BB";
      ctx.fillRect((r.offsetMs / total) * w, (i / rows.length) * HEIGHT, Math.max((r.durationMs / total) * w, 1), h);
    });
  }, [rows, total]);
  const full = rows.length * rowHeight;
  const jump = (e: MouseEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    onScroll(((e.clientY - box.top) / HEIGHT) * full - viewport / 2);
  };
  return (
    <div
      className="minimap"
      data-testid="minimap"
      style={{ height: HEIGHT }}
      onMouseDown={jump}
      onMouseMove={(e) => e.buttons === 1 && jump(e)}
      role="scrollbar"
      tabIndex={-1}
      aria-label="Trace overview"
      aria-controls="waterfall"
      aria-valuenow={Math.round((scrollTop / Math.max(full - viewport, 1)) * 100)}
    >
      <canvas ref={canvas} style={{ width: "100%", height: HEIGHT }} />
      <div
        className="minimap-view"
        style={{ top: (scrollTop / full) * HEIGHT, height: Math.max((viewport / full) * HEIGHT, 2) }}
      />
    </div>
  );
}
