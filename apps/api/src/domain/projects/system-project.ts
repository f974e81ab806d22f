/**
 * The built-in project whose identities are the console's users (Keyway signs its own staff in). Its owners
 * are the instance's owners. Reserved: no other project may take the slug.
 */
export const SYSTEM_PROJECT_SLUG = 'keyway-admin';

/** The console's backend-for-frontend: a confidential app-native client of the system project. */
export const CONSOLE_CLIENT_ID = 'keyway-console';
