// Forgot to export the entries.
export const version = '1.0';
