// Moved to libs/e2e-support (shared with the console's suite); kept so specs importing this path still compile.
export { eventually, SmtpSink } from '@keyway/e2e-support';
