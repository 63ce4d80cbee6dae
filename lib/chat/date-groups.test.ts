import { describe, expect, it } from "vitest";
import { dayGroupOf, groupByDay } from "./date-groups";

// The history's date groups are calendar days in the reader's time zone, not 24-hour spans.

const at = (y: number, m: number, d: number, h = 12, min = 0) => new Date(y, m - 1, d, h, min);

describe("history date groups", () => {
  const now = at(2026, 11, 27, 0, 30); // just after midnight

  it("splits by calendar day: a chat from 40 minutes ago, before midnight, is Yesterday", () => {
    expect(dayGroupOf(at(2026, 11, 27, 0, 5), now).label).toBe("Today");
    expect(dayGroupOf(at(2026, 11, 26, 23, 50), now).label).toBe("Yesterday");
    expect(dayGroupOf(at(2026, 11, 25, 23, 59), now).label).toBe("Previous 7 days");
    expect(dayGroupOf(at(2026, 11, 20), now).label).toBe("Previous 7 days");
    expect(dayGroupOf(at(2026, 11, 19), now).label).toBe("Previous 30 days");
    expect(dayGroupOf(at(2026, 10, 28), now).label).toBe("Previous 30 days");
    expect(dayGroupOf(at(2026, 10, 27), now).label).toBe("October 2026");
    expect(dayGroupOf(at(2025, 3, 2), now).label).toBe("March 2025");
    // A clock a little ahead on another device: still Today, not a future group.
    expect(dayGroupOf(at(2026, 11, 27, 9), now).label).toBe("Today");
  });

  it("keeps the order and puts consecutive chats of one group together", () => {
    const chats = [
      at(2026, 11, 27, 0, 10),
      at(2026, 11, 26, 18),
      at(2026, 11, 26, 9),
      at(2026, 11, 22),
      at(2026, 9, 1),
    ].map((d, i) => ({ id: String(i), updatedAt: d.toISOString() }));
    const groups = groupByDay(chats, now);
    expect(groups.map((g) => [g.label, g.items.map((c) => c.id)])).toEqual([
      ["Today", ["0"]],
      ["Yesterday", ["1", "2"]],
      ["Previous 7 days", ["3"]],
      ["September 2026", ["4"]],
    ]);
    expect(new Set(groups.map((g) => g.key)).size).toBe(groups.length);
  });
});
