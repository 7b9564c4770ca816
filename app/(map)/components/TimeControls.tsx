"use client";

import { useEffect, useState } from "react";
import { REFRESH_CHOICES, shiftedWindow, zoomedOutWindow, type MapState } from "@/app/(map)/url";

interface Props {
  state: MapState;
  /** The window the page shows, resolved (ISO). */
  from: string;
  to: string;
  update: (patch: Partial<MapState>) => void;
}

/** Offset of the viewer's time zone, as Grafana shows it: "UTC+01:00". */
function utcOffset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? "+" : "-";
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

const refreshLabel = (s: number) => (s < 60 ? `${s}s` : `${s / 60}m`);

/** Earlier / zoom out / later, the refresh interval, and the time zone the times are shown in. */
export default function TimeControls({ state, from, to, update }: Props) {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const endsNow = state.to === "now";
  // The browser's zone, known only in the browser (the server render would say the server's).
  const [zone, setZone] = useState("");
  useEffect(() => setZone(`${Intl.DateTimeFormat().resolvedOptions().timeZone} (${utcOffset(new Date())})`), []);
  return (
    <span className="time-controls">
      <button
        type="button"
        title="Earlier: move the window back by its length"
        aria-label="Earlier"
        onClick={() => update({ ...shiftedWindow(fromMs, toMs, -1, Date.now()), live: false })}
      >
        ◀
      </button>
      <button
        type="button"
        title="Zoom out: twice the window, around the same middle"
        aria-label="Zoom out time"
        onClick={() => update(zoomedOutWindow(state, fromMs, toMs, Date.now()))}
      >
        ⊖
      </button>
      <button
        type="button"
        title="Later: move the window forward by its length (never past now)"
        aria-label="Later"
        disabled={endsNow}
        onClick={() => update({ ...shiftedWindow(fromMs, toMs, 1, Date.now()), live: false })}
      >
        ▶
      </button>
      {endsNow && (
        <label title="How often the live map reloads">
          every
          <select
            aria-label="Refresh interval"
            value={state.refresh}
            onChange={(e) => update({ refresh: Number(e.target.value) })}
          >
            {REFRESH_CHOICES.map((s) => (
              <option key={s} value={s}>
                {refreshLabel(s)}
              </option>
            ))}
          </select>
        </label>
      )}
      <span className="muted" data-testid="time-zone" title="Times on this page are in your browser's time zone">
        {zone}
      </span>
    </span>
  );
}
