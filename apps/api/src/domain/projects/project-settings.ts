import { z } from 'zod';
import { canonicalLocale } from './email-kinds';
import { RateLimitSettings } from '../../infra/config/rate-limit-policy';

/** A registrable domain or host name: what WebAuthn accepts as an RP ID (no scheme, port or path). */
const RpId = z
  .string()
  .max(253)
  .regex(
    /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/,
    'must be a lowercase host name such as example.com (no scheme, port or path)',
  );

/**
 * An origin allowed to present passkeys: a web origin (https, or http on localhost, which browsers treat
 * as secure), or an Android app (`android:apk-key-hash:<base64url SHA-256 of the signing certificate>`).
 * iOS apps present the https origin of their associated domain, so they need no entry of their own.
 */
const WebAuthnOrigin = z.string().max(300).refine(isWebAuthnOrigin, {
  message:
    'must be an origin such as https://example.com (http only for localhost) or android:apk-key-hash:<base64url sha256>',
});

export function isWebAuthnOrigin(value: string): boolean {
  if (/^android:apk-key-hash:[A-Za-z0-9_-]{43}$/.test(value)) return true;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // An origin is scheme://host[:port] and nothing else; compare with what URL makes of it.
  if (url.origin !== value) return false;
  return (
    url.protocol === 'https:' ||
    (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
  );
}

const WebAuthnSettings = z
  .object({
    /** Defaults to the host name of KEYWAY_PUBLIC_URL. Passkeys are bound to it: changing it orphans them. */
    rpId: RpId.optional(),
    /** Shown by the authenticator when creating a passkey; defaults to the project name. */
    rpName: z.string().trim().min(1).max(200).optional(),
    /** Defaults to the origin of KEYWAY_PUBLIC_URL. */
    origins: z.array(WebAuthnOrigin).min(1).max(50).optional(),
  })
  .strict()
  .superRefine((settings, context) => {
    // A browser refuses an RP ID that is not the page's host or a parent of it; say so at configuration time.
    const rpId = settings.rpId;
    if (!rpId || !settings.origins) return;
    settings.origins.forEach((origin, index) => {
      if (origin.startsWith('android:')) return;
      const host = new URL(origin).hostname;
      if (host !== rpId && !host.endsWith(`.${rpId}`)) {
        context.addIssue({
          code: 'custom',
          path: ['origins', index],
          message: `host '${host}' is not rpId '${rpId}' or a subdomain of it`,
        });
      }
    });
  });
export type WebAuthnSettings = z.infer<typeof WebAuthnSettings>;

/** A BCP 47 language tag, stored canonical ("de-ch" → "de-CH"). */
const LocaleTag = z
  .string()
  .max(64)
  .transform((tag, context) => {
    const canonical = canonicalLocale(tag);
    if (!canonical) context.addIssue({ code: 'custom', message: 'must be a BCP 47 language tag such as en or de-CH' });
    return canonical ?? tag;
  });

/** Which optional notification mails the project sends (the mails that carry codes and links always go). */
const EmailToggles = {
  /** A welcome mail once a registration completes. */
  welcome: z.boolean(),
  /** A mail to the identity when a login completes from a device it never signed in from before. */
  newSignIn: z.boolean(),
};

const EmailOtpFields = {
  length: z.number().int().min(6).max(10),
  ttlSeconds: z.number().int().min(1).max(3600),
  maxResends: z.number().int().min(0).max(20),
  resendIntervalSeconds: z.number().int().min(0).max(3600),
};

/** How the hosted login, registration and recovery pages look (pages fall back to the project name and Keyway's colours). */
const BrandingFields = {
  /** Shown above every page's title instead of the project name. */
  displayName: z.string().trim().min(1).max(80),
  /** An https image URL (the pages' Content-Security-Policy allows exactly its origin). */
  logoUrl: z.url({ protocol: /^https$/, message: 'must be an https URL' }).max(2048),
  /** Buttons and links, `#rrggbb`; pick one with at least 4.5:1 contrast to white text. */
  primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour as #rrggbb'),
  /** The page behind the card, `#rrggbb`. */
  backgroundColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour as #rrggbb'),
};

/** Per-project policy. Stored as JSON on the project; every field has a secure default. */
export const ProjectSettings = z
  .object({
    lockout: z
      .object({
        /** Failed attempts (per identity and factor) before the identity locks. */
        maxAttempts: z.number().int().min(1).max(100).default(5),
        /** The longest a lock lasts: locks in a row double from initialDurationSeconds up to this. */
        durationSeconds: z
          .number()
          .int()
          .min(1)
          .max(86_400 * 30)
          .default(900),
        /**
         * The first lock's length. Progressive by default (60 s, then 120 s, 240 s, … up to durationSeconds) so
         * that a few requests from anyone who knows a user name cannot lock its owner out for long; set it equal
         * to durationSeconds for fixed-length locks.
         */
        initialDurationSeconds: z
          .number()
          .int()
          .min(1)
          .max(86_400 * 30)
          .default(60),
      })
      .prefault({}),
    flowTtlSeconds: z.number().int().min(30).max(3600).default(600),
    /**
     * How recently a session must have authenticated (its auth_time) for settings that change credentials
     * or identifiers; an older session is asked to re-authenticate first. Seconds.
     */
    privilegedSessionSeconds: z.number().int().min(1).max(86_400).default(900),
    /** RFC 6749 §4.1.2 recommends at most 10 minutes; we default to 60 s. */
    authorizationCodeTtlSeconds: z.number().int().min(5).max(600).default(60),
    accessTokenTtlSeconds: z.number().int().min(60).max(86_400).default(900),
    idTokenTtlSeconds: z.number().int().min(60).max(86_400).default(3600),
    /** Idle lifetime of a refresh token; each rotation starts a new one. */
    refreshTokenTtlSeconds: z
      .number()
      .int()
      .min(60)
      .max(86_400 * 365)
      .default(86_400 * 30),
    /** Absolute lifetime of a login's refresh-token family; rotation never extends past it. */
    refreshTokenAbsoluteTtlSeconds: z
      .number()
      .int()
      .min(60)
      .max(86_400 * 730)
      .default(86_400 * 90),
    sessionTtlSeconds: z
      .number()
      .int()
      .min(60)
      .max(86_400 * 365)
      .default(86_400 * 30),
    /** A login completes only for an identity whose email address is verified (the verification flow). */
    requireVerifiedEmail: z.boolean().default(false),
    /** Passkeys (WebAuthn relying party); unset fields are derived from KEYWAY_PUBLIC_URL and the project name. */
    webauthn: WebAuthnSettings.prefault({}),
    /** The email OTP login option: code length, lifetime and how often a step may send a new code. */
    emailOtp: z
      .object({
        length: EmailOtpFields.length.default(6),
        ttlSeconds: EmailOtpFields.ttlSeconds.default(300),
        /** Codes a step may send after the first one. */
        maxResends: EmailOtpFields.maxResends.default(3),
        resendIntervalSeconds: EmailOtpFields.resendIntervalSeconds.default(30),
      })
      .strict()
      .prefault({}),
    /** The locale of mails when neither the identity's `locale` trait nor the request's ui_locales has a template. */
    defaultLocale: LocaleTag.default('en'),
    /** Notification mails, each on by default. */
    emails: z
      .object({ welcome: EmailToggles.welcome.default(true), newSignIn: EmailToggles.newSignIn.default(true) })
      .strict()
      .prefault({}),
    /**
     * Request rate limits of this project, over the instance defaults (KEYWAY_RATE_LIMITS): any of
     * `{login, token, selfService}` → `{ip, identifier | client}` → `{limit, windowSeconds}`. Left out = the
     * instance default, which is why nothing is filled in here.
     */
    rateLimits: RateLimitSettings.optional(),
    branding: z.object(BrandingFields).strict().partial().prefault({}),
  })
  .strict();
export type ProjectSettings = z.infer<typeof ProjectSettings>;

/** Settings as an admin may send them: any subset, merged over the defaults. */
export const ProjectSettingsInput = ProjectSettings.partial()
  .extend({
    lockout: z
      .object({
        maxAttempts: z.number().int().min(1).max(100),
        durationSeconds: z
          .number()
          .int()
          .min(1)
          .max(86_400 * 30),
        initialDurationSeconds: z
          .number()
          .int()
          .min(1)
          .max(86_400 * 30),
      })
      .strict()
      .partial()
      .optional(),
    // Without defaults here, so a PATCH changes only the fields it names.
    emailOtp: z.object(EmailOtpFields).strict().partial().optional(),
    emails: z.object(EmailToggles).strict().partial().optional(),
    // null clears a field (the pages fall back to the default).
    branding: z
      .object({
        displayName: BrandingFields.displayName.nullable(),
        logoUrl: BrandingFields.logoUrl.nullable(),
        primaryColor: BrandingFields.primaryColor.nullable(),
        backgroundColor: BrandingFields.backgroundColor.nullable(),
      })
      .strict()
      .partial()
      .optional(),
  })
  .strict();
export type ProjectSettingsInput = z.infer<typeof ProjectSettingsInput>;
