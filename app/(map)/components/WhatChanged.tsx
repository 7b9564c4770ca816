"use client";

import { useEffect, useState } from "react";
import type { Change } from "@/lib/domain/health";
import { reasonText } from "@/lib/domain/health";
import { formatMs, formatPercent, formatRate, HEALTH, healthOf } from "@/app/components/map-style";
import type { Selection } from "@/app/(map)/url";

const SHOWN = 6;
const FORMAT = { ms: formatMs, rate: formatRate, percent: formatPercent };

/**
 * The map's "what changed" list: the nodes and edges that moved most from their baseline (GET /api/changes, the
 * same rule as the map's colours), each a button that selects it on the map. Reloaded with the map's graph.
 */
export default function WhatChanged({
  query,
  refreshKey,
  selected,
  onSelect,
}: {
  query: string;
  refreshKey: string;
  selected: Selection | null;
  onSelect: (s: Selection) => void;
}) {
  // undefined while the first answer is on its way, null when there is none to show.
  const [changes, setChanges] = useState<Change[] | null | undefined>(undefined);
  const [baselineEmpty, setBaselineEmpty] = useState(false);
  useEffect(() => {
    let live = true;
    fetch(`/api/changes?${query}`)
      .then((r) => (r.ok ? r.json() : null))
      .then((d: { changes: Change[]; baselineEmpty?: boolean } | null) => {
        if (!live) return;
        setChanges(d?.changes ?? null);
        setBaselineEmpty(d?.baselineEmpty === true);
      })
      .catch(() => live && setChanges(null));
    return () => {
      live = false;
    };
  }, [query, refreshKey]);
  // The section keeps one height whatever it holds, so the map under it never moves while it loads: a click aimed
  // at the map lands where the viewer aimed.
  return (
    <section className="what-changed" aria-label="What changed" data-testid="what-changed">
      <h2>What changed</h2>
      {changes === undefined ? (
        <p className="muted">Comparing with the baseline…</p>
      ) : changes === null ? (
        <p className="muted">Changes could not be loaded; the map's colours still show health.</p>
      ) : baselineEmpty ? (
        <p className="muted" data-testid="no-baseline">
          No baseline yet: the period before this one has no traffic, so nothing can be compared (everything would read
          as new).
        </p>
      ) : changes.length === 0 ? (
        <p className="muted">Nothing moved from its baseline.</p>
      ) : (
        <ol>
          {changes.slice(0, SHOWN).map((c) => {
            const isSel = selected?.kind === c.kind && selected.id === c.id;
            const look = HEALTH[healthOf(c.recent.requests, c.recent.errorRate, c.health)];
            return (
              <li key={`${c.kind}:${c.id}`} data-change={c.id}>
                <button
                  type="button"
                  className={isSel ? "link selected" : "link"}
                  aria-pressed={isSel}
                  onClick={() => onSelect({ kind: c.kind, id: c.id })}
                >
                  <span
                    className="swatch"
                    style={{ background: look.color, borderStyle: look.border }}
                    aria-hidden="true"
                  />
                  {c.kind === "edge" ? c.id.replace("->", " → ").replace(/:(virtual|database|messaging)$/, "") : c.id}
                </button>
                <span className="muted">
                  {" "}
                  {look.label}: {c.reasons.map((r) => reasonText(r, FORMAT)).join(", ")}
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
