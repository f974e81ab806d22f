import { createHash } from 'node:crypto';
import type { RequestContext } from '../../infra/http/request-context';

/** Longer User-Agents are cut: they are shown in a mail and stored with every session. */
export const MAX_USER_AGENT_LENGTH = 256;

/** The device a login completed on, as stored in Session.device (plus its fingerprint column). */
export interface SessionDevice {
  /** Control characters removed, at most MAX_USER_AGENT_LENGTH characters; '' when the client sent none. */
  userAgent: string;
  ip: string | null;
  /** Hex SHA-256 of the normalised User-Agent (see deviceFingerprint). */
  fingerprint: string;
}

export function sessionDevice(context: RequestContext): SessionDevice {
  const userAgent = (context.userAgent ?? '')
    // eslint-disable-next-line no-control-regex -- control characters are what this strips
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim()
    .slice(0, MAX_USER_AGENT_LENGTH);
  return { userAgent, ip: context.ip ?? null, fingerprint: deviceFingerprint(userAgent) };
}

/**
 * What makes two logins "the same device": the User-Agent, case and spacing ignored, and with version
 * numbers left out, so a browser's monthly update is not reported as a new device. The IP address is not
 * part of it: it changes too often (mobile networks, Wi-Fi vs. cellular) to mean anything.
 */
export function deviceFingerprint(userAgent: string): string {
  const normalised = userAgent
    .toLowerCase()
    .replace(/\d+(?:[._]\d+)*/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
  return createHash('sha256').update(normalised).digest('hex');
}
