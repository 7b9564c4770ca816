"use client";

import { useState } from "react";

interface Pin {
  pinnedBy: string;
  pinnedAt: string;
  note: string;
}

/** "Keep" copies the trace out of raw-span retention, with who and why; "Unpin" lets retention have it again. */
export default function KeepButton({ traceId, pin }: { traceId: string; pin: Pin | null }) {
  const [current, setCurrent] = useState(pin);
  const [error, setError] = useState<string | null>(null);
  const [by, setBy] = useState("");
  const [note, setNote] = useState("");
  const call = async (method: "POST" | "DELETE") => {
    setError(null);
    const res = await fetch(`/api/traces/${traceId}/pin`, {
      method,
      headers: { "content-type": "application/json" },
      body: method === "POST" ? JSON.stringify({ by, note }) : undefined,
    });
    const body = (await res.json()) as { error?: string; by?: string; note?: string };
    if (!res.ok) return setError(body.error ?? `HTTP ${res.status}`);
    setCurrent(
      method === "POST"
        ? { pinnedBy: body.by ?? by, pinnedAt: new Date().toISOString(), note: body.note ?? note }
        : null,
    );
  };
  if (current) {
    return (
      <p className="controls" data-testid="pinned">
        <span>
          Kept by {current.pinnedBy} at {current.pinnedAt}
          {current.note ? `: ${current.note}` : ""} (outlives raw-span retention)
        </span>
        <button type="button" onClick={() => call("DELETE")}>
          Unpin
        </button>
      </p>
    );
  }
  return (
    <form
      className="controls"
      data-testid="keep"
      onSubmit={(e) => {
        e.preventDefault();
        void call("POST");
      }}
    >
      <input value={by} onChange={(e) => setBy(e.target.value)} placeholder="your name" aria-label="Kept by" />
      <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="note (optional)" aria-label="Note" />
      <button type="submit">Keep</button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
