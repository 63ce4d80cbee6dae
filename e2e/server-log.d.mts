export function serverLogPath(port?: string): string;
