import "server-only";
import { defaultDeps } from "./deps";
import { createKeyVault, type KeyVault } from "./vault";

// The key vault on the process's database, keyring and environment. Server code calls these;
// tests build their own with createKeyVault(deps).

export type { AuditEventDto, AuditPage } from "./audit";
export { checkBaseUrl } from "./base-url";
export type { VaultDeps } from "./deps";
export type { KeyDto } from "./dto";
export type { KeyDisplayStatus, KeySource } from "./policy";
export type { ResolvedKey, UsableProvider } from "./resolve";
export type { RequestContext } from "./schemas";
export type { AiDefaults } from "./settings";
export type { KeyTestReport } from "./test-key";
export { createKeyVault, type KeyVault, type SaveKeyRequest } from "./vault";

async function vault(): Promise<KeyVault> {
  return createKeyVault(await defaultDeps());
}

type Fn<K extends keyof KeyVault> = KeyVault[K] extends (...a: infer A) => infer R ? (...a: A) => R : never;
const bind = <K extends Exclude<keyof KeyVault, "deps">>(name: K): Fn<K> =>
  ((...args: unknown[]) => vault().then((v) => (v[name] as (...a: unknown[]) => unknown)(...args))) as Fn<K>;

export const listKeys = bind("listKeys");
export const getKey = bind("getKey");
export const saveKey = bind("saveKey");
export const testKey = bind("testKey");
export const setKeyEnabled = bind("setKeyEnabled");
export const removeKey = bind("removeKey");
export const resolveKey = bind("resolveKey");
export const markKeyInvalid = bind("markKeyInvalid");
export const touchKeyUsed = bind("touchKeyUsed");
export const usableProviders = bind("usableProviders");
export const getDefaults = bind("getDefaults");
export const setDefaults = bind("setDefaults");
export const listAudit = bind("listAudit");
