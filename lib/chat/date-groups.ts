// The history's date groups, in the reader's own time zone (the browser's `now`): Today,
// Yesterday, Previous 7 days, Previous 30 days, then one group per month ("October 2026").

export type DateGroup<T> = { key: string; label: string; items: T[] };

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate());
const DAY = 86_400_000;

/** The group a moment falls in, seen from `now`; items are expected newest first. */
export function dayGroupOf(at: Date, now: Date): { key: string; label: string } {
  const today = startOfDay(now).getTime();
  const day = startOfDay(at).getTime();
  // Calendar days apart (a DST change makes a day 23 or 25 hours: round).
  const days = Math.round((today - day) / DAY);
  if (days <= 0) return { key: "today", label: "Today" };
  if (days === 1) return { key: "yesterday", label: "Yesterday" };
  if (days <= 7) return { key: "week", label: "Previous 7 days" };
  if (days <= 30) return { key: "month", label: "Previous 30 days" };
  const key = `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, "0")}`;
  const label = at.toLocaleDateString("en", { month: "long", year: "numeric" });
  return { key, label };
}

/** Consecutive items (newest first) grouped by day group, in order. */
export function groupByDay<T extends { updatedAt: string }>(items: T[], now: Date): DateGroup<T>[] {
  const groups: DateGroup<T>[] = [];
  for (const item of items) {
    const g = dayGroupOf(new Date(item.updatedAt), now);
    const last = groups[groups.length - 1];
    if (last?.key === g.key) last.items.push(item);
    else groups.push({ ...g, items: [item] });
  }
  return groups;
}
