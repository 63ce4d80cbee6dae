// Types for the parts of engine.mjs that TypeScript code (tests) uses.
import type { QueryResult } from "pg";

export function adminQuery(url: string, sql: string): Promise<QueryResult>;
export function withDatabase(url: string, database: string): string;
export function databaseName(url: string): string;
export function createDatabase(url: string): Promise<{ databaseName: string }>;
export function dropDatabase(url: string): Promise<void>;
export function ensureDatabase(url: string): Promise<boolean>;
export function describeUrl(url: string): string;
