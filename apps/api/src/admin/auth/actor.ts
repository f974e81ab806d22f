import type { AdminPrincipal } from '../../domain/access/access.service';
import type { AuditActor } from '../../domain/audit/audit.service';

/** Who an admin action's audit event names: readable now, and kept if the actor is deleted later. */
export function actorOf(principal: AdminPrincipal): { actor: AuditActor } {
  switch (principal.kind) {
    case 'root':
      return { actor: { kind: 'root', id: 'root', name: 'root token (KEYWAY_ADMIN_TOKEN)' } };
    case 'api-key':
      return { actor: { kind: 'api-key', id: principal.id, name: `API key "${principal.name}"` } };
    case 'console-user':
      return { actor: { kind: 'console-user', id: principal.identityId, name: principal.email } };
  }
}
