'use client';

import { EmailTemplate, EmailTemplateKind, OutboxMessage, SmtpSettings } from '@keyway/admin-api';
import { AdminApiError, ok } from '@keyway/admin-client';
import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { useAdminClient } from './console-api';

// The Email page's reads: templates (kinds, one template, a rendered draft), the SMTP settings and the outbox.

export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export const emailKeys = {
  templates: (slug: string) => ['admin', 'projects', slug, 'email', 'templates'] as const,
  /** Every locale's template of a kind: a change in one locale changes those that fall back to it. */
  kind: (slug: string, kind: string) => ['admin', 'projects', slug, 'email', 'templates', kind] as const,
  template: (slug: string, kind: string, locale: string) =>
    ['admin', 'projects', slug, 'email', 'templates', kind, locale] as const,
  smtp: (slug: string) => ['admin', 'projects', slug, 'email', 'smtp'] as const,
  outbox: (slug: string) => ['admin', 'projects', slug, 'email', 'outbox'] as const,
  outboxByStatus: (slug: string, status: string) => ['admin', 'projects', slug, 'email', 'outbox', status] as const,
};

export interface TemplateDraft {
  subject: string;
  html: string;
  text: string;
}

/** Every template kind with its variables, shipped locales and the locales this project customised. */
export function useEmailTemplates(slug: string) {
  const admin = useAdminClient();
  return useQuery({
    queryKey: emailKeys.templates(slug),
    queryFn: async () =>
      z
        .array(EmailTemplateKind)
        .parse(await ok(admin.GET('/api/admin/v1/projects/{slug}/email/templates', { params: { path: { slug } } }))),
  });
}

/** The template used for a kind and locale: the project's own, or the fallback / shipped default. */
export function useEmailTemplate(slug: string, kind: string, locale: string) {
  const admin = useAdminClient();
  return useQuery({
    queryKey: emailKeys.template(slug, kind, locale),
    queryFn: async () =>
      EmailTemplate.parse(
        await ok(
          admin.GET('/api/admin/v1/projects/{slug}/email/templates/{kind}/{locale}', {
            params: { path: { slug, kind, locale } },
          }),
        ),
      ),
  });
}

/** The project's own SMTP server, or null when its mail goes through the instance default (the API's 404). */
export function useSmtpSettings(slug: string) {
  const admin = useAdminClient();
  return useQuery({
    queryKey: emailKeys.smtp(slug),
    queryFn: async () => {
      try {
        return SmtpSettings.parse(
          await ok(admin.GET('/api/admin/v1/projects/{slug}/email/smtp', { params: { path: { slug } } })),
        );
      } catch (error) {
        if (error instanceof AdminApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
}

/** Whether a message is still on its way (the outbox will try it again). */
export const inFlight = (message: OutboxMessage) => message.status === 'pending' || message.status === 'sending';

/**
 * The latest 100 outbox messages, of one status or all (''). Refreshes itself every few seconds while one of
 * them is still on its way, so a queued message is seen to go out (or fail) without reloading.
 */
export function useOutbox(slug: string, status: OutboxStatus | '', enabled = true) {
  const admin = useAdminClient();
  return useQuery({
    enabled,
    queryKey: emailKeys.outboxByStatus(slug, status),
    queryFn: async () =>
      z.array(OutboxMessage).parse(
        await ok(
          admin.GET('/api/admin/v1/projects/{slug}/email/outbox', {
            params: { path: { slug }, query: status ? { status } : {} },
          }),
        ),
      ),
    refetchInterval: (query) => (query.state.data?.some(inFlight) ? OUTBOX_POLL_MS : false),
  });
}

export const OUTBOX_POLL_MS = 3_000;
