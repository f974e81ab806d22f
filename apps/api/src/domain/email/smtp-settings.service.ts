import { Inject, Injectable } from '@nestjs/common';
import type { SMTPTransportOptions } from 'nodemailer';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { SecretBox } from '../../infra/crypto/secret-box';
import type { SmtpTlsMode } from '../../generated/prisma/client';
import { SmtpSettingsRepository, type SmtpConfigRow } from './smtp-settings.repository';

export interface SmtpSettingsInput {
  host: string;
  port: number;
  tlsMode: SmtpTlsMode;
  username?: string | null | undefined;
  /** Omitted: keep the stored password; null: remove it. */
  password?: string | null | undefined;
  fromName?: string | null | undefined;
  fromAddress: string;
}

export interface SmtpSettingsView {
  host: string;
  port: number;
  tlsMode: SmtpTlsMode;
  username: string | null;
  passwordSet: boolean;
  fromName: string | null;
  fromAddress: string;
  updatedAt: Date;
}

/** How to reach an SMTP server and whom mail is from. `null` when neither the project nor the instance has one. */
export interface SmtpRoute {
  transport: SMTPTransportOptions | string;
  from: string | { name: string; address: string };
  source: 'project' | 'instance';
}

// Well below the outbox lease (KEYWAY_EMAIL_LEASE_MS), so a hung server fails the attempt before another
// worker may take the message over. Nodemailer's own defaults (2 and 10 minutes) are far too long.
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

@Injectable()
export class SmtpSettingsService {
  constructor(
    private readonly repository: SmtpSettingsRepository,
    private readonly secretBox: SecretBox,
    @Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig,
  ) {}

  async get(projectId: string): Promise<SmtpSettingsView | null> {
    const row = await this.repository.find(projectId);
    return row ? view(row) : null;
  }

  /** Replaces the project's settings; the password is sealed with SecretBox and kept when not sent. */
  async set(projectId: string, input: SmtpSettingsInput): Promise<SmtpSettingsView> {
    const current = await this.repository.find(projectId);
    const passwordSealed =
      input.password === undefined
        ? (current?.passwordSealed ?? null)
        : input.password === null
          ? null
          : await this.secretBox.seal(input.password);
    const row = await this.repository.upsert(projectId, {
      host: input.host,
      port: input.port,
      tlsMode: input.tlsMode,
      username: input.username ?? null,
      passwordSealed,
      fromName: input.fromName ?? null,
      fromAddress: input.fromAddress,
    });
    return view(row);
  }

  remove(projectId: string): Promise<boolean> {
    return this.repository.delete(projectId);
  }

  /** Where a project's mail goes: its own server, else the instance default (KEYWAY_SMTP_URL). */
  async route(projectId: string): Promise<SmtpRoute | null> {
    const row = await this.repository.findWithProjectName(projectId);
    if (row) {
      const password = row.passwordSealed ? await this.secretBox.open(row.passwordSealed) : undefined;
      return {
        source: 'project',
        from: { name: row.fromName ?? row.project.name, address: row.fromAddress },
        transport: {
          host: row.host,
          port: row.port,
          // tls: TLS from the first byte (usually 465); starttls: upgrade required, never send in clear
          // text (usually 587); none: plain SMTP, also when the server offers STARTTLS (local relays).
          secure: row.tlsMode === 'tls',
          requireTLS: row.tlsMode === 'starttls',
          ignoreTLS: row.tlsMode === 'none',
          ...(row.username ? { auth: { user: row.username, pass: password ?? '' } } : {}),
          ...TIMEOUTS,
        },
      };
    }
    if (!this.config.smtp.url) return null;
    return { source: 'instance', from: this.config.smtp.from, transport: withTimeouts(this.config.smtp.url) };
  }
}

/** The instance URL with our timeouts added as query parameters (nodemailer reads options from them). */
function withTimeouts(url: string): string {
  const parsed = new URL(url);
  for (const [name, value] of Object.entries(TIMEOUTS))
    if (!parsed.searchParams.has(name)) parsed.searchParams.set(name, String(value));
  return parsed.toString();
}

function view(row: SmtpConfigRow): SmtpSettingsView {
  return {
    host: row.host,
    port: row.port,
    tlsMode: row.tlsMode,
    username: row.username,
    passwordSet: row.passwordSealed !== null,
    fromName: row.fromName,
    fromAddress: row.fromAddress,
    updatedAt: row.updatedAt,
  };
}
