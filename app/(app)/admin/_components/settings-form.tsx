"use client";

import { useState, useTransition } from "react";
import { button, input } from "@/app/(app)/settings/ai/_components/styles";
import type { InstanceSettingsView } from "@/lib/operator/settings";
import { createInviteAction, saveSettingsAction } from "../actions";
import { ResultLine } from "./result-line";
import type { AdminResult } from "./types";

const label = "block text-sm font-medium";

function LimitField({ name, unit, value }: { name: string; unit: string; value: number | null }) {
  return (
    <label className={label}>
      Daily {unit} per user on shared keys (UTC days)
      <input
        name={name}
        type="number"
        min={1}
        placeholder="No limit"
        defaultValue={value ?? ""}
        className={`${input} mt-1`}
      />
    </label>
  );
}

export function SettingsForm({ settings }: { settings: InstanceSettingsView }) {
  const [answer, setAnswer] = useState<{ result: AdminResult | null; seq: number }>({ result: null, seq: 0 });
  const setResult = (result: AdminResult) => setAnswer((a) => ({ result, seq: a.seq + 1 }));
  const [pending, start] = useTransition();

  const save = (form: FormData) =>
    start(async () =>
      setResult(
        await saveSettingsAction({
          registration: form.get("registration"),
          systemKeyAccess: form.get("systemKeyAccess"),
          systemKeyDailyRequests: form.get("systemKeyDailyRequests"),
          systemKeyDailyTokens: form.get("systemKeyDailyTokens"),
        }),
      ),
    );

  return (
    <div className="space-y-4">
      <form action={save} className="grid gap-4 sm:grid-cols-2">
        <label className={label}>
          Registration
          <select name="registration" defaultValue={settings.registration} className={`${input} mt-1`}>
            <option value="open">Open: anyone who reaches the instance</option>
            <option value="invite">Invite: single-use links made here</option>
            <option value="closed">Closed: no new accounts</option>
          </select>
          <span className="mt-1 block text-xs text-muted-foreground">
            {settings.registrationSource === "saved"
              ? "Saved here."
              : "From REGISTRATION (saving here overrides it)."}
          </span>
        </label>
        <label className={label}>
          Who may use the shared (operator) keys
          <select name="systemKeyAccess" defaultValue={settings.systemKeyAccess} className={`${input} mt-1`}>
            <option value="all">Everyone</option>
            <option value="allow-list">Only users allowed below</option>
            <option value="none">Nobody</option>
          </select>
        </label>
        <LimitField name="systemKeyDailyRequests" unit="requests" value={settings.systemKeyDailyRequests} />
        <LimitField name="systemKeyDailyTokens" unit="tokens" value={settings.systemKeyDailyTokens} />
        <div className="flex gap-2 sm:col-span-2">
          <button type="submit" disabled={pending} className={`${button.base} ${button.primary}`}>
            Save settings
          </button>
          <button
            type="button"
            disabled={pending}
            onClick={() => start(async () => setResult(await createInviteAction({})))}
            className={`${button.base} ${button.secondary}`}
          >
            Create invite link
          </button>
        </div>
      </form>
      <ResultLine result={answer.result} seq={answer.seq} />
    </div>
  );
}
