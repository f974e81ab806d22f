import type { NextRequest } from 'next/server';
import { InvitationLookupBody } from '../../../../lib/invitation-wire';
import { forwardInvitation } from '../../../../lib/server/invitations';

/** What an invitation link invites to: `{token}` → `{projectName, email, role, existingUser}`. No session needed. */
export async function POST(request: NextRequest): Promise<Response> {
  return forwardInvitation(request, 'lookup', InvitationLookupBody);
}
