import { z } from "zod";
import { env } from "@/lib/env";
import { type OperatorDeps, operatorDeps, type Tx } from "./deps";

// Instance-wide settings. The environment gives the starting value (REGISTRATION); once an
// admin saves a value in /admin it is stored in the InstanceSettings row (id 1) and wins.

export const REGISTRATION_MODES = ["open", "invite", "closed"] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

export const SYSTEM_KEY_ACCESS = ["all", "none", "allow-list"] as const;
export type SystemKeyAccess = (typeof SYSTEM_KEY_ACCESS)[number];

export type InstanceSettingsView = {
  registration: RegistrationMode;
  /** Where `registration` comes from: saved in /admin, or the REGISTRATION environment variable. */
  registrationSource: "saved" | "environment";
  systemKeyAccess: SystemKeyAccess;
  /** Per user and UTC day, on the operator's keys; null: no limit. */
  systemKeyDailyRequests: number | null;
  systemKeyDailyTokens: number | null;
};

const SETTINGS_ID = 1;

function asMode<T extends string>(value: string | null | undefined, allowed: readonly T[]): T | null {
  return value && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

export async function readInstanceSettings(
  { db: client }: { db: OperatorDeps["db"] | Tx } = operatorDeps(),
): Promise<InstanceSettingsView> {
  const row = await client.instanceSettings.findUnique({ where: { id: SETTINGS_ID } });
  const saved = asMode(row?.registration, REGISTRATION_MODES);
  return {
    registration: saved ?? env().REGISTRATION,
    registrationSource: saved ? "saved" : "environment",
    systemKeyAccess: asMode(row?.systemKeyAccess, SYSTEM_KEY_ACCESS) ?? "all",
    systemKeyDailyRequests: row?.systemKeyDailyRequests ?? null,
    systemKeyDailyTokens: row?.systemKeyDailyTokens ?? null,
  };
}

const limit = z.preprocess(
  (v) => (v === "" || v === null || v === undefined ? null : Number(v)),
  z.number().int().min(1).max(1_000_000_000).nullable(),
);

export const settingsSchema = z
  .object({
    registration: z.enum(REGISTRATION_MODES),
    systemKeyAccess: z.enum(SYSTEM_KEY_ACCESS),
    systemKeyDailyRequests: limit,
    systemKeyDailyTokens: limit,
  })
  .strict();
export type SettingsInput = z.infer<typeof settingsSchema>;

export async function writeInstanceSettings(tx: Tx, input: SettingsInput): Promise<void> {
  await tx.instanceSettings.upsert({
    where: { id: SETTINGS_ID },
    create: { id: SETTINGS_ID, ...input },
    update: input,
  });
}
