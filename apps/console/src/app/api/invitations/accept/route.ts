import type { NextRequest } from 'next/server';
import { InvitationAcceptBody } from '../../../../lib/invitation-wire';
import { forwardInvitation } from '../../../../lib/server/invitations';

/** Accepts an invitation: `{token, password?, name?}` → what was joined. No session needed. */
export async function POST(request: NextRequest): Promise<Response> {
  return forwardInvitation(request, 'accept', InvitationAcceptBody);
}
