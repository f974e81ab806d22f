/**
 * Every project setting the admin API takes (PATCH /projects/{slug} `settings`, ProjectSettingsInput in the
 * API), as the settings page shows and checks it: section, label, hint, unit and the API's limits. A unit
 * test holds the limits and the list of settings to the API's OpenAPI document, so they cannot drift.
 */

export type SettingUnit = 'seconds' | 'attempts' | 'digits' | 'codes' | 'requests';

interface BaseSetting {
  /** Where the setting is in `settings`: `['lockout', 'maxAttempts']`. */
  path: readonly string[];
  label: string;
  hint: string;
}

export interface NumberSetting extends BaseSetting {
  kind: 'number';
  unit: SettingUnit;
  min: number;
  max: number;
  /** May be left empty (the instance default applies): rate limits. */
  optional?: boolean;
}

export interface BooleanSetting extends BaseSetting {
  kind: 'boolean';
}

export interface TextSetting extends BaseSetting {
  kind: 'text';
  maxLength: number;
  /** May be left empty: a value derived by the API applies. */
  optional?: boolean;
  /** May be emptied again after being set: sent as null, which the API takes as "back to the default". */
  clearable?: boolean;
  check?: (value: string) => string | undefined;
}

/** A list, one entry a line. */
export interface LinesSetting extends BaseSetting {
  kind: 'lines';
  maxItems: number;
  maxLength: number;
  optional?: boolean;
  check?: (value: string) => string | undefined;
}

export type Setting = NumberSetting | BooleanSetting | TextSetting | LinesSetting;

export interface SettingsSection {
  id: string;
  title: string;
  description: string;
  settings: Setting[];
}

const DAY = 86_400;

/** What WebAuthn accepts as an RP ID: a lowercase host name, no scheme, port or path (the API's rule). */
const RP_ID = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** An origin that may present passkeys: https (http on localhost) or an Android app's key hash (the API's rule). */
export function isWebAuthnOrigin(value: string): boolean {
  if (/^android:apk-key-hash:[A-Za-z0-9_-]{43}$/.test(value)) return true;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.origin !== value) return false;
  return (
    url.protocol === 'https:' ||
    (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
  );
}

/** A BCP 47 tag, as the API checks it (Intl.getCanonicalLocales); the API stores it canonical. */
export function canonicalLocale(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

const seconds = (
  path: readonly string[],
  label: string,
  hint: string,
  min: number,
  max: number,
  optional = false,
): NumberSetting => ({
  kind: 'number',
  path,
  label,
  hint,
  unit: 'seconds',
  min,
  max,
  ...(optional ? { optional } : {}),
});

const RATE_LIMIT_RULES = [
  { group: 'login', kind: 'ip', label: 'Sign-in, per IP address' },
  { group: 'login', kind: 'identifier', label: 'Sign-in, per username' },
  { group: 'token', kind: 'ip', label: 'Token endpoint, per IP address' },
  { group: 'token', kind: 'client', label: 'Token endpoint, per client' },
  { group: 'selfService', kind: 'ip', label: 'Registration & recovery, per IP address' },
  { group: 'selfService', kind: 'identifier', label: 'Registration & recovery, per email address' },
] as const;

export const RATE_LIMIT_ROWS = RATE_LIMIT_RULES.map(({ group, kind, label }) => ({
  label,
  limit: {
    kind: 'number',
    path: ['rateLimits', group, kind, 'limit'],
    label: `${label}: requests`,
    hint: 'Requests a window allows; the next is refused (429) until the window has passed.',
    unit: 'requests',
    min: 1,
    max: 1_000_000,
    optional: true,
  } satisfies NumberSetting,
  window: seconds(
    ['rateLimits', group, kind, 'windowSeconds'],
    `${label}: window`,
    'The window the requests are counted over.',
    1,
    DAY,
    true,
  ),
}));

export const SETTINGS_SECTIONS: SettingsSection[] = [
  {
    id: 'security',
    title: 'Sign-in security',
    description: 'How wrong passwords and codes lock an account, and how long a sign-in may take.',
    settings: [
      {
        kind: 'number',
        path: ['lockout', 'maxAttempts'],
        label: 'Failed attempts before lockout',
        hint: 'Per user and factor (password, code…). The next wrong attempt locks the account.',
        unit: 'attempts',
        min: 1,
        max: 100,
      },
      seconds(
        ['lockout', 'initialDurationSeconds'],
        'First lockout',
        'How long the first lock lasts; each lock in a row doubles it, up to the longest lockout. Set both equal for fixed-length locks.',
        1,
        30 * DAY,
      ),
      seconds(
        ['lockout', 'durationSeconds'],
        'Longest lockout',
        'The most a lock lasts, however many locks in a row.',
        1,
        30 * DAY,
      ),
      seconds(
        ['flowTtlSeconds'],
        'Sign-in flow lifetime',
        'How long a started sign-in, registration or recovery may take before it must start over.',
        30,
        3600,
      ),
      seconds(
        ['privilegedSessionSeconds'],
        'Re-authentication window',
        'How recently a user must have signed in to change credentials or identifiers; older sessions sign in again first.',
        1,
        DAY,
      ),
    ],
  },
  {
    id: 'tokens',
    title: 'Tokens & sessions',
    description: 'Lifetimes of what a sign-in gives the applications.',
    settings: [
      seconds(
        ['authorizationCodeTtlSeconds'],
        'Authorization code',
        'Time an app has to redeem the code. OAuth recommends at most 10 minutes.',
        5,
        600,
      ),
      seconds(['accessTokenTtlSeconds'], 'Access token', 'How long an access token is accepted.', 60, DAY),
      seconds(['idTokenTtlSeconds'], 'ID token', 'The exp of ID tokens.', 60, DAY),
      seconds(
        ['refreshTokenTtlSeconds'],
        'Refresh token (idle)',
        'A refresh token unused this long expires; each use gives a new one with a new idle time.',
        60,
        365 * DAY,
      ),
      seconds(
        ['refreshTokenAbsoluteTtlSeconds'],
        'Refresh token (absolute)',
        'The longest a sign-in can be refreshed, whatever the use: then the user signs in again.',
        60,
        730 * DAY,
      ),
      seconds(['sessionTtlSeconds'], 'Session', 'How long a browser session keeps the user signed in.', 60, 365 * DAY),
    ],
  },
  {
    id: 'passkeys',
    title: 'Passkeys',
    description:
      'The WebAuthn relying party. Left empty, each is derived from the instance’s public URL and the project name.',
    settings: [
      {
        kind: 'text',
        path: ['webauthn', 'rpId'],
        label: 'Relying party ID',
        hint: 'A host name such as example.com. Passkeys are bound to it: changing it orphans every passkey made before.',
        maxLength: 253,
        optional: true,
        check: (value) =>
          RP_ID.test(value)
            ? undefined
            : 'Must be a lowercase host name such as example.com (no scheme, port or path).',
      },
      {
        kind: 'text',
        path: ['webauthn', 'rpName'],
        label: 'Relying party name',
        hint: 'Shown by the authenticator when a passkey is made.',
        maxLength: 200,
        optional: true,
      },
      {
        kind: 'lines',
        path: ['webauthn', 'origins'],
        label: 'Allowed origins',
        hint: 'One a line: https origins (http only for localhost) whose host is the RP ID or under it, or android:apk-key-hash:<base64url SHA-256> for an Android app.',
        maxItems: 50,
        maxLength: 300,
        optional: true,
        check: (value) =>
          isWebAuthnOrigin(value)
            ? undefined
            : 'must be an origin such as https://example.com (http only for localhost) or android:apk-key-hash:<base64url sha256>',
      },
    ],
  },
  {
    id: 'email-otp',
    title: 'Email one-time codes',
    description: 'The “email me a code” sign-in option.',
    settings: [
      {
        kind: 'number',
        path: ['emailOtp', 'length'],
        label: 'Code length',
        hint: 'Digits in a code.',
        unit: 'digits',
        min: 6,
        max: 10,
      },
      seconds(['emailOtp', 'ttlSeconds'], 'Code lifetime', 'How long a mailed code is accepted.', 1, 3600),
      {
        kind: 'number',
        path: ['emailOtp', 'maxResends'],
        label: 'Resends per step',
        hint: 'New codes a user may ask for after the first one.',
        unit: 'codes',
        min: 0,
        max: 20,
      },
      seconds(
        ['emailOtp', 'resendIntervalSeconds'],
        'Time between resends',
        'How long a user waits before asking for another code.',
        0,
        3600,
      ),
    ],
  },
  {
    id: 'verification',
    title: 'Verification',
    description: 'What a user must have proven before a sign-in completes.',
    settings: [
      {
        kind: 'boolean',
        path: ['requireVerifiedEmail'],
        label: 'Require a verified email address',
        hint: 'A sign-in completes only once the user has verified an email address (the verification flow).',
      },
    ],
  },
  {
    id: 'localization',
    title: 'Localization',
    description: 'The language of mails when neither the user nor the request names one the project has.',
    settings: [
      {
        kind: 'text',
        path: ['defaultLocale'],
        label: 'Default locale',
        hint: 'A BCP 47 language tag such as en, de or de-CH.',
        maxLength: 64,
        check: (value) => (canonicalLocale(value) ? undefined : 'Must be a BCP 47 language tag such as en or de-CH.'),
      },
    ],
  },
  {
    id: 'branding',
    title: 'Branding',
    description:
      'How the hosted sign-in, registration and recovery pages look. Left empty, they show the project name in Keyway’s colours.',
    settings: [
      {
        kind: 'text',
        path: ['branding', 'displayName'],
        label: 'Display name',
        hint: 'Shown above every page’s title instead of the project name.',
        maxLength: 80,
        optional: true,
        clearable: true,
      },
      {
        kind: 'text',
        path: ['branding', 'logoUrl'],
        label: 'Logo URL',
        hint: 'An https image URL; the pages’ Content-Security-Policy allows exactly its origin.',
        maxLength: 2048,
        optional: true,
        clearable: true,
        check: (value) => (/^https:\/\/[^\s]+$/.test(value) ? undefined : 'Must be an https URL.'),
      },
      {
        kind: 'text',
        path: ['branding', 'primaryColor'],
        label: 'Primary colour',
        hint: 'Buttons and links, as #rrggbb; pick one with at least 4.5:1 contrast to white text.',
        maxLength: 7,
        optional: true,
        clearable: true,
        check: (value) => (/^#[0-9a-fA-F]{6}$/.test(value) ? undefined : 'Must be a colour as #rrggbb.'),
      },
      {
        kind: 'text',
        path: ['branding', 'backgroundColor'],
        label: 'Background colour',
        hint: 'The page behind the card, as #rrggbb.',
        maxLength: 7,
        optional: true,
        clearable: true,
        check: (value) => (/^#[0-9a-fA-F]{6}$/.test(value) ? undefined : 'Must be a colour as #rrggbb.'),
      },
    ],
  },
  {
    id: 'mails',
    title: 'Notification mails',
    description: 'Optional mails. Those that carry codes and links (verification, recovery, sign-in codes) always go.',
    settings: [
      {
        kind: 'boolean',
        path: ['emails', 'welcome'],
        label: 'Welcome mail',
        hint: 'Sent once a registration completes.',
      },
      {
        kind: 'boolean',
        path: ['emails', 'newSignIn'],
        label: 'New sign-in alert',
        hint: 'Sent when a sign-in completes from a device the user never signed in from before.',
      },
    ],
  },
];

/** Every setting the page edits, rate limits included. */
export const ALL_SETTINGS: Setting[] = [
  ...SETTINGS_SECTIONS.flatMap((section) => section.settings),
  ...RATE_LIMIT_ROWS.flatMap((row) => [row.limit, row.window]),
];

export const keyOf = (setting: Setting): string => setting.path.join('.');

/** "15 min", "30 days", "1 h 30 min": a number of seconds as people read it. */
export function humanDuration(total: number): string {
  if (!Number.isFinite(total) || total < 0) return '';
  if (total < 60) return `${total} s`;
  const parts: string[] = [];
  let rest = Math.floor(total);
  for (const [size, unit] of [
    [DAY, 'day'],
    [3600, 'h'],
    [60, 'min'],
    [1, 's'],
  ] as const) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(unit === 'day' ? `${count} day${count === 1 ? '' : 's'}` : `${count} ${unit}`);
  }
  return parts.slice(0, 2).join(' ');
}

/** A setting's value as a form holds it: text for numbers, text and lists, a boolean for switches. */
export type FormValue = string | boolean;

export function formValueOf(setting: Setting, settings: Record<string, unknown>): FormValue {
  let value: unknown = settings;
  for (const key of setting.path)
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  switch (setting.kind) {
    case 'boolean':
      return value === true;
    case 'number':
      return typeof value === 'number' ? String(value) : '';
    case 'text':
      return typeof value === 'string' ? value : '';
    case 'lines':
      return Array.isArray(value) ? value.filter((entry) => typeof entry === 'string').join('\n') : '';
  }
}

export const linesOf = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/**
 * What is wrong with a value, as the API would say it (its limits), or undefined. `saved` is the value the
 * project has: a setting once set cannot be emptied again, since the API merges what it is sent over what
 * it has and knows no way to unset.
 */
export function problemOf(setting: Setting, value: FormValue, saved: FormValue): string | undefined {
  if (setting.kind === 'boolean' || typeof value !== 'string') return undefined;
  const empty = setting.kind === 'lines' ? linesOf(value).length === 0 : value.trim() === '';
  if (empty) {
    if (!setting.optional) return 'Required.';
    if (setting.kind === 'text' && setting.clearable) return undefined;
    return saved !== '' ? 'Once set, this cannot be emptied again; enter a value.' : undefined;
  }
  switch (setting.kind) {
    case 'number': {
      const number = Number(value.trim());
      if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(number)) return 'Must be a whole number.';
      if (number < setting.min || number > setting.max)
        return `Must be between ${setting.min.toLocaleString('en')} and ${setting.max.toLocaleString('en')}.`;
      return undefined;
    }
    case 'text':
      if (value.trim().length > setting.maxLength) return `At most ${setting.maxLength} characters.`;
      return setting.check?.(value.trim());
    case 'lines': {
      const lines = linesOf(value);
      if (lines.length > setting.maxItems) return `At most ${setting.maxItems} entries.`;
      for (const [index, line] of lines.entries()) {
        const problem =
          line.length > setting.maxLength ? `at most ${setting.maxLength} characters` : setting.check?.(line);
        if (problem) return `Line ${index + 1}: ${problem}`;
      }
      return undefined;
    }
  }
}

/**
 * The API's rule across two settings: a browser refuses an RP ID that is not the page's host or a parent of
 * it, so every web origin's host must be the RP ID or under it. Checked only when both are set, as the API does.
 */
export function originsProblem(rpId: string, origins: string): string | undefined {
  const id = rpId.trim();
  if (!id) return undefined;
  for (const [index, origin] of linesOf(origins).entries()) {
    if (origin.startsWith('android:') || !isWebAuthnOrigin(origin)) continue;
    const host = new URL(origin).hostname;
    if (host !== id && !host.endsWith(`.${id}`))
      return `Line ${index + 1}: host '${host}' is not the relying party ID '${id}' or a subdomain of it.`;
  }
  return undefined;
}

/** The value as the API takes it. */
export function apiValueOf(setting: Setting, value: FormValue): unknown {
  if (setting.kind === 'boolean') return value === true;
  const text = String(value).trim();
  if (setting.kind === 'number') return Number(text);
  if (setting.kind === 'lines') return linesOf(text);
  return text === '' && setting.clearable ? null : text;
}

/** Whether two form values mean the same setting (spaces and blank lines aside). */
export function sameValue(setting: Setting, a: FormValue, b: FormValue): boolean {
  if (setting.kind === 'boolean') return a === b;
  if (setting.kind === 'lines') return linesOf(String(a)).join('\n') === linesOf(String(b)).join('\n');
  return String(a).trim() === String(b).trim();
}
