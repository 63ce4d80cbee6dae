export function serverConfig(env: Record<string, string | undefined>): {
  port: number;
  hostname: string | undefined;
  workers: number;
  hops: number;
  graceMs: number;
  embedded: boolean;
  warnings: string[];
};
