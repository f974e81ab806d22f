// The SMTP sink is shared with the console's suite: it lives in @keyway/e2e-support.
export { eventually, SmtpSink } from '@keyway/e2e-support';
