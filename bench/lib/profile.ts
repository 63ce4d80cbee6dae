import type { ArmTargets } from "./arms";
import type { Agents, Pace } from "./phases";
import type { Child } from "./procs";

export async function profileChatPath(_opts: {
  requests: number;
  targets: ArmTargets;
  agents: Agents;
  pace: Pace;
  server: Child;
  outDir: string;
}): Promise<Record<string, unknown>> {
  return {};
}
