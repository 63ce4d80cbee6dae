export const TEST_POSTGRES_URL: string;
export function postgresUnavailable(url?: string): Promise<string | undefined>;
export function postgresRequired(): boolean;
