// What a token may be given, without the schemas: the settings page's token form reads the
// expiry choices in the browser, and importing them from ./schemas shipped zod with the page.

export const TOKEN_EXPIRY_DAYS = [7, 30, 90, 365] as const;
export const MAX_TOKENS_PER_USER = 50;
