export function serverLogPath(port?: string): string;
export function serverStatePath(port?: string): string;
