import type { Project } from '../../domain/projects/projects.service';

/** The WebAuthn relying party a project's passkeys are bound to, with every default filled in. */
export interface RelyingParty {
  id: string;
  name: string;
  /** Origins whose clientDataJSON is accepted (web origins and android:apk-key-hash:… app origins). */
  origins: string[];
}

/**
 * Unset fields follow KEYWAY_PUBLIC_URL, so a default deployment works without passkey configuration:
 * the RP ID is its host name and the only origin is its own. Derived when read rather than stored, so a
 * project created before a move to another public URL follows the URL (its passkeys would not: they are
 * bound to the old RP ID, which is why an admin moving domains should pin rpId).
 */
export function relyingPartyOf(project: Pick<Project, 'name' | 'settings'>, publicUrl: string): RelyingParty {
  const url = new URL(publicUrl);
  const { rpId, rpName, origins } = project.settings.webauthn;
  return { id: rpId ?? url.hostname, name: rpName ?? project.name, origins: origins ?? [url.origin] };
}
