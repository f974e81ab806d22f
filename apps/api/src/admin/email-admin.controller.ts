import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { EmailTemplate, EmailTemplateKind, OutboxMessage, RenderedEmail, SmtpSettings } from '@keyway/admin-api';
import { z } from 'zod';
import { auditDiff } from '../domain/audit/audit-diff';
import { AuditService } from '../domain/audit/audit.service';
import { ApiError } from '../infra/http/errors';
import { JsonBody } from '../infra/http/zod-pipes';
import { EmailAdminService } from '../domain/email/email-admin.service';
import { SmtpSettingsService, type SmtpSettingsView } from '../domain/email/smtp-settings.service';
import { TemplatesService } from '../domain/email/templates.service';
import type { OutboxMessageMeta } from '../domain/email/outbox.repository';
import type { Project } from '../domain/projects/projects.service';
import type { AdminPrincipal } from '../domain/access/access.service';
import { actorOf } from './auth/actor';
import { CurrentPrincipal, RequirePermission } from './auth/require-permission';
import { AdminAuth } from './auth/admin-auth.decorator';
import { AdminProject } from './auth/admin-project.pipe';
import { DocumentedResponse } from '../infra/http/documented-response';

const schema = (s: z.ZodType): object => z.toJSONSchema(s, { io: 'input' }) as object;

// Header values must stay on one line: a CR/LF in a name would let it write headers of its own.
const headerSafe = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\r\n]*$/, 'must be a single line');

const PutTemplateBody = z
  .object({ subject: headerSafe(500), html: z.string().min(1).max(200_000), text: z.string().min(1).max(100_000) })
  .strict();
export type PutTemplateBody = z.infer<typeof PutTemplateBody>;

/** A draft to render (or none: the template in use), and values for some of the kind's variables. */
const PreviewTemplateBody = z
  .object({
    subject: headerSafe(500).optional(),
    html: z.string().min(1).max(200_000).optional(),
    text: z.string().min(1).max(100_000).optional(),
    variables: z.record(z.string(), z.string().max(2_000)).optional(),
  })
  .strict()
  .refine(
    ({ subject, html, text }) => [subject, html, text].every((part) => part === undefined) || (subject && html && text),
    'a draft needs subject, html and text (or none of them, to preview the template in use)',
  );
type PreviewTemplateBody = z.infer<typeof PreviewTemplateBody>;

const PutSmtpBody = z
  .object({
    host: z
      .string()
      .trim()
      .min(1)
      .max(253)
      .regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address'),
    port: z.number().int().min(1).max(65535),
    tlsMode: z.enum(['none', 'starttls', 'tls']),
    username: headerSafe(320).nullish(),
    /** Omit to keep the stored password, null to remove it. */
    password: z.string().min(1).max(1000).nullish(),
    fromName: headerSafe(200).nullish(),
    fromAddress: z.email(),
  })
  .strict();
export type PutSmtpBody = z.infer<typeof PutSmtpBody>;

const SendTestBody = z.object({ to: z.email() }).strict();
export type SendTestBody = z.infer<typeof SendTestBody>;

const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;

@ApiTags('admin: email')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/email')
export class EmailAdminController {
  constructor(
    private readonly templates: TemplatesService,
    private readonly smtp: SmtpSettingsService,
    private readonly email: EmailAdminService,
    private readonly audit: AuditService,
  ) {}

  @Get('templates')
  @RequirePermission('email.read')
  @DocumentedResponse(z.array(EmailTemplateKind))
  @ApiOperation({ summary: 'List the template kinds with their variables and the locales this project customised' })
  list(@AdminProject() project: Project): Promise<EmailTemplateKind[]> {
    return this.templates.list(project.id);
  }

  @Get('templates/:kind/:locale')
  @RequirePermission('email.read')
  @DocumentedResponse(EmailTemplate)
  @ApiOperation({
    summary: 'Read the template used for a kind and BCP 47 locale (custom, or the fallback / shipped default)',
  })
  getTemplate(
    @AdminProject() project: Project,
    @Param('kind') kind: string,
    @Param('locale') locale: string,
  ): Promise<EmailTemplate> {
    return this.templates.read(project.id, kind, locale);
  }

  @Put('templates/:kind/:locale')
  @RequirePermission('email.write')
  @DocumentedResponse(EmailTemplate)
  @ApiOperation({
    summary: "Set the project's template for a kind and locale (must compile and use only the kind's variables)",
  })
  @ApiBody({ schema: schema(PutTemplateBody) })
  async putTemplate(
    @AdminProject() project: Project,
    @Param('kind') kind: string,
    @Param('locale') locale: string,
    @JsonBody(PutTemplateBody) body: PutTemplateBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<EmailTemplate> {
    const before = await this.templates.read(project.id, kind, locale);
    const saved = await this.templates.save(project.id, kind, locale, body);
    await this.audit.record('email.template_updated', {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'email_template', id: `${saved.kind}/${saved.locale}` },
      data: {
        kind: saved.kind,
        locale: saved.locale,
        changes: auditDiff(templateFields(before), templateFields(saved)),
      },
    });
    return saved;
  }

  @Post('templates/:kind/:locale/preview')
  @HttpCode(200)
  @RequirePermission('email.read')
  @DocumentedResponse(RenderedEmail)
  @ApiOperation({
    summary:
      'Render a draft (or the template in use) with sample values, as the recipient would see it; nothing is saved',
  })
  @ApiBody({ schema: schema(PreviewTemplateBody) })
  preview(
    @AdminProject() project: Project,
    @Param('kind') kind: string,
    @Param('locale') locale: string,
    @JsonBody(PreviewTemplateBody) body: PreviewTemplateBody,
  ): Promise<RenderedEmail> {
    const { variables, subject, html, text } = body;
    const draft = subject && html && text ? { subject, html, text } : undefined;
    return this.templates.preview(project, kind, locale, draft, variables);
  }

  @Delete('templates/:kind/:locale')
  @RequirePermission('email.write')
  @DocumentedResponse(null, 204)
  @HttpCode(204)
  @ApiOperation({ summary: "Remove the project's template for a kind and locale (back to the fallback / default)" })
  async deleteTemplate(
    @AdminProject() project: Project,
    @Param('kind') kind: string,
    @Param('locale') locale: string,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<void> {
    const before = await this.templates.read(project.id, kind, locale);
    if (await this.templates.remove(project.id, kind, locale)) {
      const after = await this.templates.read(project.id, kind, locale);
      await this.audit.record('email.template_reset', {
        projectId: project.id,
        ...actorOf(principal),
        target: { type: 'email_template', id: `${before.kind}/${before.locale}` },
        data: { kind, locale, changes: auditDiff(templateFields(before), templateFields(after)) },
      });
    }
  }

  @Get('smtp')
  @RequirePermission('email.read')
  @DocumentedResponse(SmtpSettings)
  @ApiOperation({
    summary: "Read the project's SMTP settings (never the password); 404 when it uses the instance default",
  })
  async getSmtp(@AdminProject() project: Project): Promise<SmtpSettings> {
    const settings = await this.smtp.get(project.id);
    if (!settings)
      throw ApiError.notFound(
        'This project has no SMTP settings: its mail goes through the instance default (KEYWAY_SMTP_URL).',
      );
    return smtpView(settings);
  }

  @Put('smtp')
  @RequirePermission('email.write')
  @DocumentedResponse(SmtpSettings)
  @ApiOperation({ summary: "Set the project's SMTP server; the password is encrypted at rest and kept when omitted" })
  @ApiBody({ schema: schema(PutSmtpBody) })
  async putSmtp(
    @AdminProject() project: Project,
    @JsonBody(PutSmtpBody) body: PutSmtpBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<SmtpSettings> {
    const before = await this.smtp.get(project.id);
    const settings = await this.smtp.set(project.id, body);
    // The password itself never reaches the log; its entry (REDACTED) says it was set, replaced or removed.
    const storedPassword = before?.passwordSet ? 'stored' : null;
    await this.audit.record('email.smtp_updated', {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'smtp', id: project.slug },
      data: {
        host: settings.host,
        port: settings.port,
        tlsMode: settings.tlsMode,
        changes: auditDiff(before && { ...smtpFields(before), password: storedPassword }, {
          ...smtpFields(settings),
          password: body.password === undefined ? storedPassword : body.password,
        }),
      },
    });
    return smtpView(settings);
  }

  @Delete('smtp')
  @RequirePermission('email.write')
  @DocumentedResponse(null, 204)
  @HttpCode(204)
  @ApiOperation({ summary: "Remove the project's SMTP settings (back to the instance default)" })
  async deleteSmtp(@AdminProject() project: Project, @CurrentPrincipal() principal: AdminPrincipal): Promise<void> {
    const before = await this.smtp.get(project.id);
    if (await this.smtp.remove(project.id))
      await this.audit.record('email.smtp_removed', {
        projectId: project.id,
        ...actorOf(principal),
        target: { type: 'smtp', id: project.slug },
        data: { changes: auditDiff(before && smtpFields(before), null) },
      });
  }

  @Get('outbox')
  @RequirePermission('email.write')
  @DocumentedResponse(z.array(OutboxMessage))
  @ApiOperation({
    summary: 'The latest 100 outbox messages (metadata only: status, attempts, lastError), optionally by status',
  })
  @ApiQuery({ name: 'status', required: false, enum: OUTBOX_STATUSES, description: 'only messages in this state' })
  async outbox(@AdminProject() project: Project, @Query('status') status?: string): Promise<OutboxMessage[]> {
    if (status !== undefined && !(OUTBOX_STATUSES as readonly string[]).includes(status)) {
      throw ApiError.badRequest(`status must be one of ${OUTBOX_STATUSES.join(', ')}.`);
    }
    return (await this.email.list(project.id, status as (typeof OUTBOX_STATUSES)[number] | undefined)).map(outboxView);
  }

  @Post('test')
  @RequirePermission('email.write')
  @DocumentedResponse(OutboxMessage, 202)
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a test email through the outbox and the project SMTP route' })
  @ApiBody({ schema: schema(SendTestBody) })
  async sendTest(
    @AdminProject() project: Project,
    @JsonBody(SendTestBody) body: SendTestBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<OutboxMessage> {
    const message = await this.email.sendTest(project, body.to);
    await this.audit.record('email.test_queued', {
      projectId: project.id,
      ...actorOf(principal),
      data: { messageId: message.id },
    });
    return outboxView(message);
  }
}

/** What a template change is about (not the resolution details, which follow from the locale). */
const templateFields = ({ source, subject, html, text }: EmailTemplate) => ({ source, subject, html, text });

/** The settings as configured (not the time of the last change). */
const smtpFields = ({ updatedAt: _, ...fields }: SmtpSettingsView) => fields;

function smtpView({ updatedAt, ...rest }: SmtpSettingsView): SmtpSettings {
  return { ...rest, updatedAt: updatedAt.toISOString() };
}

function outboxView({ toAddress, nextAttemptAt, sentAt, createdAt, ...rest }: OutboxMessageMeta): OutboxMessage {
  return {
    ...rest,
    to: toAddress,
    nextAttemptAt: nextAttemptAt.toISOString(),
    sentAt: sentAt?.toISOString() ?? null,
    createdAt: createdAt.toISOString(),
  };
}
