import { z } from 'zod';
import type { AuditEventRow } from '../../domain/audit/audit.service';
import { isUuid } from '../../infra/http/ids';
import { PageCursor, PageLimit } from '../../infra/http/page-cursor';

/** An audit event as the admin API shows it (the log holds no secrets: each writer makes sure). */
export interface AuditEventView {
  id: string;
  type: string;
  createdAt: string;
  /** The end user the event is about. */
  identityId: string | null;
  clientId: string | null;
  /** Who acted through the admin API (null for what users and the system did), named as they were then. */
  actor: { kind: string; id: string | null; name: string | null } | null;
  target: { type: string; id: string | null } | null;
  /** Details: for admin actions the actor's role, the reason, the outcome and what changed. */
  data: unknown;
}

export function auditEventView(event: AuditEventRow): AuditEventView {
  return {
    id: event.id,
    type: event.type,
    createdAt: event.createdAt.toISOString(),
    identityId: event.identityId,
    clientId: event.clientId,
    actor: event.actorKind ? { kind: event.actorKind, id: event.actorId, name: event.actorName } : null,
    target: event.targetType ? { type: event.targetType, id: event.targetId } : null,
    data: event.data,
  };
}

const Instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/, {
    message: 'must be an ISO 8601 date or date-time with a zone (2026-12-01, 2026-12-01T09:30:00Z)',
    // One problem per parameter: a string that is no date at all is not checked as a calendar day too.
    abort: true,
  })
  // Date parsing rolls 2026-02-31 over into March: the calendar day must come back as written.
  .refine((value) => isCalendarDay(value.slice(0, 10)), 'is not a real date')
  .transform((value) => new Date(value))
  .refine((date) => !Number.isNaN(date.getTime()), 'is not a real date');

function isCalendarDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

/** The filters of the project's audit log; a bad one is 400 naming its parameter. */
export const AuditEventsQuery = z
  .object({
    /** An actor's id (console user identity id, API key id, `root`) or name as recorded (an email). */
    actor: z.string().trim().min(1).max(320).optional(),
    identity: z.string().refine(isUuid, 'must be an identity id (a UUID)').optional(),
    /** An event type (`admin.identity.unlock`) or a prefix ending in `*` (`admin.identity.*`). */
    type: z
      .string()
      .regex(/^[a-z0-9_.-]{1,100}\*?$/, 'must be an event type, or a prefix of one ending in *')
      .optional(),
    from: Instant.optional(),
    /** Exclusive. */
    to: Instant.optional(),
    limit: PageLimit,
    cursor: PageCursor,
  })
  .strict()
  .refine((query) => !query.from || !query.to || query.from < query.to, {
    message: 'must be later than from',
    path: ['to'],
  });
export type AuditEventsQuery = z.infer<typeof AuditEventsQuery>;
