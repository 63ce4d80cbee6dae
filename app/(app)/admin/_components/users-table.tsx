"use client";

import { useState, useTransition } from "react";
import { button } from "@/app/(app)/settings/ai/_components/styles";
import type { AdminUserRow } from "@/lib/operator/users";
import { adminUserAction } from "../actions";
import { ResultLine } from "./result-line";
import type { AdminResult } from "./types";

type Op =
  | "grant"
  | "revoke"
  | "disable"
  | "enable"
  | "delete"
  | "reset-link"
  | "allow-system-keys"
  | "deny-system-keys";

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "—");
const dollars = (micros: number) => `$${(micros / 1_000_000).toFixed(2)}`;

export function UsersTable({
  rows,
  selfId,
  allowList,
}: {
  rows: AdminUserRow[];
  selfId: string;
  allowList: boolean;
}) {
  const [answer, setAnswer] = useState<{ result: AdminResult | null; seq: number }>({ result: null, seq: 0 });
  const setResult = (result: AdminResult) => setAnswer((a) => ({ result, seq: a.seq + 1 }));
  const [pending, start] = useTransition();

  const run = (op: Op, row: AdminUserRow) => {
    if (op === "delete" && !window.confirm(`Delete ${row.email} and all their data? This cannot be undone.`))
      return;
    start(async () => setResult(await adminUserAction({ op, userId: row.id })));
  };
  const act = (op: Op, row: AdminUserRow, label: string, danger = false) => (
    <button
      type="button"
      disabled={pending}
      onClick={() => run(op, row)}
      className={`${button.base} ${danger ? button.danger : button.secondary} h-7 px-2 text-xs`}
    >
      {label}
    </button>
  );

  return (
    <div className="space-y-3">
      <ResultLine result={answer.result} seq={answer.seq} />
      <div className="overflow-x-auto rounded-xl border border-border">
        <table className="w-full text-left text-sm" data-testid="admin-users">
          <thead className="bg-muted/50 text-xs text-muted-foreground">
            <tr>
              <th className="px-3 py-2">User</th>
              <th className="px-3 py-2">Created</th>
              <th className="px-3 py-2">Last active</th>
              <th className="px-3 py-2">Own keys</th>
              <th className="px-3 py-2">This month</th>
              <th className="px-3 py-2">Shared keys</th>
              <th className="px-3 py-2">Actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-email={r.email} className="border-t border-border align-top">
                <td className="px-3 py-2">
                  <div className="font-medium">{r.email}</div>
                  <div className="text-xs text-muted-foreground">
                    {r.name ?? ""} {r.isAdmin ? <span data-testid="badge-admin">· admin</span> : null}{" "}
                    {r.disabled ? <span data-testid="badge-disabled">· disabled</span> : null}
                  </div>
                </td>
                <td className="px-3 py-2">{day(r.createdAt)}</td>
                <td className="px-3 py-2">{day(r.lastActiveAt)}</td>
                <td className="px-3 py-2" data-testid="personal-keys">
                  {r.personalKeys.join(", ") || "—"}
                </td>
                <td className="px-3 py-2">
                  {r.chatsThisMonth} chats · {r.requestsThisMonth} requests · {r.tokensThisMonth} tokens
                </td>
                <td className="px-3 py-2" data-testid="system-spend">
                  {r.systemRequestsThisMonth} requests · {dollars(r.systemCostMicrosThisMonth)}
                  {allowList ? (
                    <div className="text-xs">{r.systemKeyAllowed ? "allowed" : "not allowed"}</div>
                  ) : null}
                </td>
                <td className="space-x-1 space-y-1 px-3 py-2">
                  {r.isAdmin ? act("revoke", r, "Revoke admin") : act("grant", r, "Make admin")}
                  {r.disabled ? act("enable", r, "Enable") : act("disable", r, "Disable", true)}
                  {act("reset-link", r, "Reset link")}
                  {allowList
                    ? act(
                        r.systemKeyAllowed ? "deny-system-keys" : "allow-system-keys",
                        r,
                        r.systemKeyAllowed ? "Deny shared keys" : "Allow shared keys",
                      )
                    : null}
                  {r.id === selfId ? null : act("delete", r, "Delete", true)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
