import { Injectable } from '@nestjs/common';
import type { Prisma } from '../../generated/prisma/client';
import type { Project } from '../projects/projects.service';
import type { EmailKind } from '../projects/email-kinds';
import { chooseMailLocale, localeCandidates, localeTrait, ownChain } from './mail-locale';
import { MailRecipientsRepository } from './mail-recipients.repository';
import { TemplatesService } from './templates.service';

/** Who an identity's mail goes to, in which locale. */
export interface MailRecipient {
  locale: string;
  /** Verified if the identity has one, else its first email address; undefined when it has none. */
  email: string | undefined;
  name: string | undefined;
}

/** What a mail's locale is chosen from: the identity's `locale` trait and the request's `ui_locales`. */
export interface LocaleSources {
  identityLocale?: string | undefined;
  uiLocales?: readonly string[] | undefined;
}

/**
 * Chooses the locale of each mail: the identity's `locale` trait (when its schema declares one), then the
 * authorization request's `ui_locales`, the first of them for which the kind has a template (the
 * project's or a shipped one) in its locale or language; else the project's `defaultLocale`. Every
 * method takes the caller's transaction (`db`) when it runs inside one.
 */
@Injectable()
export class MailRecipients {
  /** Schema versions never change once written, so whether one declares `locale` is cached for good. */
  private readonly declaresLocale = new Map<string, boolean>();

  constructor(
    private readonly repository: MailRecipientsRepository,
    private readonly templates: TemplatesService,
  ) {}

  /** No query at all when there is nothing to choose from (no identity locale, no ui_locales). */
  async chooseLocale(
    project: Project,
    kind: EmailKind,
    sources: LocaleSources,
    db?: Prisma.TransactionClient,
  ): Promise<string> {
    const candidates = localeCandidates(sources.identityLocale, sources.uiLocales);
    if (candidates.length === 0) return project.settings.defaultLocale;
    const available = await this.templates.localesWithTemplate(
      project.id,
      kind,
      [...new Set(candidates.flatMap(ownChain))],
      db,
    );
    return chooseMailLocale(candidates, available, project.settings.defaultLocale);
  }

  /** The locale for a mail about an identity whose traits are at hand (read, or about to be created). */
  async localeFor(
    project: Project,
    kind: EmailKind,
    identity: { traits: unknown; schemaVersion: number },
    uiLocales: readonly string[] | undefined,
    db?: Prisma.TransactionClient,
  ): Promise<string> {
    return this.chooseLocale(
      project,
      kind,
      { identityLocale: await this.identityLocale(project.id, identity, db), uiLocales },
      db,
    );
  }

  /** The identity's address, name and mail locale; undefined when there is no such identity. */
  async find(
    project: Project,
    kind: EmailKind,
    identityId: string,
    uiLocales: readonly string[] | undefined,
    db?: Prisma.TransactionClient,
  ): Promise<MailRecipient | undefined> {
    const row = await this.repository.find(project.id, identityId, db);
    if (!row) return undefined;
    const name =
      typeof (row.traits as Record<string, unknown> | null)?.['name'] === 'string'
        ? String((row.traits as Record<string, unknown>)['name'])
        : undefined;
    return { email: row.email, name, locale: await this.localeFor(project, kind, row, uiLocales, db) };
  }

  private async identityLocale(
    projectId: string,
    identity: { traits: unknown; schemaVersion: number },
    db?: Prisma.TransactionClient,
  ): Promise<string | undefined> {
    // Only an identity that has a locale value costs a look at its schema.
    if (!localeTrait(identity.traits, true)) return undefined;
    const key = `${projectId}:${identity.schemaVersion}`;
    let declared = this.declaresLocale.get(key);
    if (declared === undefined) {
      declared = await this.repository.declaresLocale(projectId, identity.schemaVersion, db);
      this.declaresLocale.set(key, declared);
    }
    return localeTrait(identity.traits, declared);
  }
}
