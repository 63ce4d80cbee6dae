// Plain values shared by the profile forms (client) and the schemas (server). Imports nothing.

export const NAME_MAX = 100;
export const DELETE_CONFIRMATION = "DELETE";
