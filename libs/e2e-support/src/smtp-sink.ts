import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server in the test process that keeps what it receives, parsed by mailparser. It can be
 * stopped (the port then refuses connections) and started again on the same port, like a mail relay
 * going down and coming back.
 */
export class SmtpSink {
  readonly messages: ParsedMail[] = [];
  port = 0;
  private server: SMTPServer | undefined;

  constructor(private readonly credentials?: { user: string; pass: string }) {}

  async start(): Promise<void> {
    const credentials = this.credentials;
    const server = new SMTPServer({
      // Plain SMTP on localhost: the project's tlsMode is `none`.
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: !credentials,
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (credentials && auth.username === credentials.user && auth.password === credentials.pass)
          return callback(null, { user: auth.username });
        return callback(new Error('Invalid username or password'));
      },
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.messages.push(mail);
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** How many received messages carry the outbox message id (their Message-ID is `<id@outbox.keyway>`). */
  count(outboxId: string): number {
    return this.messages.filter((m) => m.messageId === `<${outboxId}@outbox.keyway>`).length;
  }
}

/** Polls until `check` stops throwing (an expect that is not yet true), or fails with its last error. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
