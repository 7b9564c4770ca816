import { describe, expect, it } from "vitest";
import { parseWindow, parseTime, seriesStep, splitByHour, readWindow, stepCoverage } from "../../lib/model/window";
import { AppError } from "../../lib/errors";

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

describe("API time parameters", () => {
  it("accepts ISO-8601, epoch ms and relative times", () => {
    expect(parseTime("2026-11-24T11:00:00Z", NOW, "from")).toBe(NOW - 3600_000);
    expect(parseTime(String(NOW - 5000), NOW, "from")).toBe(NOW - 5000);
    expect(parseTime("now-15m", NOW, "from")).toBe(NOW - 900_000);
    expect(parseTime("now-7d", NOW, "from")).toBe(NOW - 7 * 86_400_000);
    expect(parseTime("now", NOW, "to")).toBe(NOW);
  });

  it("rejects nonsense with a 400 that names the field", () => {
    for (const bad of ["yesterday", "now+5m", "12", "2026-13-45"]) {
      const err = (() => {
        try {
          parseTime(bad, NOW, "from");
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(400);
      expect((err as AppError).message).toMatch(/^from:/);
    }
  });

  it("defaults to the last 15 minutes and checks order and length", () => {
    const r = parseWindow(new URLSearchParams(), NOW);
    expect([r.from.getTime(), r.to.getTime()]).toEqual([NOW - 900_000, NOW]);
    expect(() => parseWindow(new URLSearchParams("from=now&to=now-1h"), NOW)).toThrow(/before/);
    expect(() => parseWindow(new URLSearchParams("from=now-40d"), NOW)).toThrow(/31 days/);
  });

  it("picks a series step of whole minutes, at most ~120 points", () => {
    const day = parseWindow(new URLSearchParams("from=now-24h"), NOW);
    expect(seriesStep(day, null)).toBe(12 * 60_000);
    expect(seriesStep(parseWindow(new URLSearchParams("from=now-15m"), NOW), null)).toBe(60_000);
    expect(seriesStep(day, "5m")).toBe(300_000);
    expect(() => seriesStep(day, "30s")).toThrow(/at least 1m/);
  });
});

describe("reading a range from minute and hour roll-ups", () => {
  const d = (iso: string) => new Date(`2026-11-24T${iso}Z`);
  it("uses hours for the whole hours inside and minutes for the ends", () => {
    expect(splitByHour(d("09:15:00"), d("12:30:00"))).toEqual({
      head: [d("09:15:00"), d("10:00:00")],
      hours: [d("10:00:00"), d("12:00:00")],
      tail: [d("12:00:00"), d("12:30:00")],
    });
  });
  it("uses only minutes when no whole hour fits", () => {
    expect(splitByHour(d("09:15:00"), d("09:45:00"))).toEqual({
      head: [d("09:15:00"), d("09:45:00")],
      hours: [d("09:45:00"), d("09:45:00")],
      tail: [d("09:45:00"), d("09:45:00")],
    });
  });
});

describe("read window", () => {
  it("reads short windows exactly and widens long ones to whole hours, with rates over the covered time", () => {
    const at = (s: string) => new Date(`2026-11-24T${s}Z`);
    expect(readWindow(at("10:07:00"), at("11:37:00"))).toEqual({
      from: at("10:07:00"),
      to: at("11:37:00"),
      seconds: 5400,
    });
    const now = at("23:37:00").getTime();
    const day = readWindow(new Date(now - 24 * 3600_000), new Date(now), now);
    expect(day.from.toISOString()).toBe("2026-11-23T23:00:00.000Z");
    expect(day.to.toISOString()).toBe("2026-11-25T00:00:00.000Z");
    expect(day.seconds).toBe(24 * 3600 + 37 * 60); // up to now, not to the end of the current hour
    const past = readWindow(at("00:30:00"), at("13:30:00"), now);
    expect([past.from, past.to, past.seconds]).toEqual([at("00:00:00"), at("14:00:00"), 14 * 3600]);
  });
});

describe("honest windows", () => {
  const at = (hms: string) => new Date(`2026-11-24T${hms}Z`);
  it("divides by the part of the window the roll-ups cover: whole minutes read, up to the watermark", () => {
    // now-2m at 12:02:30 reads the minutes 12:01 and 12:02; the watermark at 12:02:25 leaves 85 s counted.
    expect(readWindow(at("12:00:30"), at("12:02:30"), at("12:02:25").getTime()).seconds).toBe(85);
    // A past window is covered whole.
    expect(readWindow(at("12:00:00"), at("12:02:00"), at("13:00:00").getTime()).seconds).toBe(120);
    // Nothing counted yet: one second, so rates stay finite (and are zero, there being no rows).
    expect(readWindow(at("12:00:00"), at("12:02:00"), at("11:00:00").getTime()).seconds).toBe(1);
  });

  it("says how much of a step is counted", () => {
    const t = at("12:01:00").getTime();
    expect(stepCoverage(t, 60_000, at("12:05:00").getTime())).toBe(1);
    expect(stepCoverage(t, 60_000, at("12:01:45").getTime())).toBe(0.75);
    expect(stepCoverage(t, 60_000, at("12:00:10").getTime())).toBe(0);
    expect(stepCoverage(t, 60_000, null)).toBe(0);
  });
});
