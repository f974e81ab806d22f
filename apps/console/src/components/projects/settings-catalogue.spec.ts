import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ALL_SETTINGS,
  apiValueOf,
  humanDuration,
  keyOf,
  originsProblem,
  problemOf,
  type NumberSetting,
  type Setting,
} from './settings-catalogue';

/** The API's contract: the body PATCH /api/admin/v1/projects/{slug} takes, as apps/api/openapi.json documents it. */
interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  maxItems?: number;
  items?: JsonSchema;
}
const document = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../api/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: JsonSchema }> } }>>;
};
const patchBody = document.paths['/api/admin/v1/projects/{slug}']?.['patch']?.requestBody.content['application/json']
  ?.schema as JsonSchema;
const settingsSchema = patchBody.properties?.['settings'] as JsonSchema;

/** Every leaf of the settings object (a value an admin sets), by path. */
function leaves(schema: JsonSchema, at: string[] = []): Array<[string, JsonSchema]> {
  if (schema.type === 'object' && schema.properties)
    return Object.entries(schema.properties).flatMap(([key, child]) => leaves(child, [...at, key]));
  return [[at.join('.'), schema]];
}

describe('the settings page’s catalogue, against the API’s OpenAPI document', () => {
  const documented = new Map(leaves(settingsSchema));
  const catalogued = new Map<string, Setting>(ALL_SETTINGS.map((setting) => [keyOf(setting), setting]));

  it('offers every setting the API takes, and none it does not', () => {
    expect([...catalogued.keys()].sort()).toEqual([...documented.keys()].sort());
  });

  it('checks numbers against the API’s limits, and text and lists against its lengths', () => {
    for (const [key, schema] of documented) {
      const setting = catalogued.get(key);
      if (schema.type === 'integer') {
        expect([key, setting?.kind]).toEqual([key, 'number']);
        const number = setting as NumberSetting;
        expect([key, number.min, number.max]).toEqual([key, schema.minimum, schema.maximum]);
      }
      if (schema.type === 'boolean') expect([key, setting?.kind]).toEqual([key, 'boolean']);
      if (schema.type === 'string')
        expect([key, setting?.kind === 'text' && setting.maxLength]).toEqual([key, schema.maxLength]);
      if (schema.type === 'array')
        expect([key, setting?.kind === 'lines' && [setting.maxItems, setting.maxLength]]).toEqual([
          key,
          [schema.maxItems, schema.items?.maxLength],
        ]);
    }
  });
});

describe('problemOf: what the form refuses before sending', () => {
  const setting = (key: string) => {
    const found = ALL_SETTINGS.find((entry) => keyOf(entry) === key);
    if (!found) throw new Error(key);
    return found;
  };

  it('holds numbers to whole numbers within the limits', () => {
    const attempts = setting('lockout.maxAttempts');
    expect(problemOf(attempts, '5', '5')).toBeUndefined();
    expect(problemOf(attempts, '101', '5')).toBe('Must be between 1 and 100.');
    expect(problemOf(attempts, '0', '5')).toBe('Must be between 1 and 100.');
    expect(problemOf(attempts, '2.5', '5')).toBe('Must be a whole number.');
    expect(problemOf(attempts, '', '5')).toBe('Required.');
  });

  it('lets optional settings stay empty, but not be emptied once set (the API cannot unset them)', () => {
    const limit = setting('rateLimits.login.ip.limit');
    expect(problemOf(limit, '', '')).toBeUndefined();
    expect(problemOf(limit, '', '30')).toMatch(/cannot be emptied/);
    const rpId = setting('webauthn.rpId');
    expect(problemOf(rpId, 'Example.com', '')).toMatch(/lowercase host name/);
    expect(problemOf(rpId, 'login.example.com', '')).toBeUndefined();
  });

  it('checks each origin on its line, and the origins against the RP ID', () => {
    const origins = setting('webauthn.origins');
    expect(problemOf(origins, 'https://a.example.com\n\nhttps://b.example.com', '')).toBeUndefined();
    expect(problemOf(origins, 'https://a.example.com\nhttp://b.example.com', '')).toMatch(/^Line 2: /);
    expect(problemOf(origins, 'https://a.example.com/path', '')).toMatch(/^Line 1: /);
    expect(originsProblem('example.com', 'https://login.example.com\nhttps://example.org')).toBe(
      "Line 2: host 'example.org' is not the relying party ID 'example.com' or a subdomain of it.",
    );
    expect(originsProblem('', 'https://example.org')).toBeUndefined();
  });

  it('checks locales as BCP 47 tags', () => {
    expect(problemOf(setting('defaultLocale'), 'de-CH', 'en')).toBeUndefined();
    expect(problemOf(setting('defaultLocale'), 'not a tag', 'en')).toMatch(/BCP 47/);
  });

  it('lets branding be emptied again (sent as null: back to the default), and checks colours and logo URLs', () => {
    expect(problemOf(setting('branding.logoUrl'), '', 'https://cdn.example.com/logo.svg')).toBeUndefined();
    expect(apiValueOf(setting('branding.logoUrl'), '')).toBeNull();
    expect(apiValueOf(setting('branding.primaryColor'), ' #0f766e ')).toBe('#0f766e');
    expect(problemOf(setting('branding.primaryColor'), 'teal', '')).toMatch(/#rrggbb/);
    expect(problemOf(setting('branding.logoUrl'), 'http://cdn.example.com/logo.svg', '')).toMatch(/https/);
    // Other optional text still cannot be emptied once set (the API has no way to unset it).
    expect(problemOf(setting('webauthn.rpId'), '', 'example.com')).toMatch(/cannot be emptied/);
  });
});

describe('humanDuration', () => {
  it('reads seconds as people do', () => {
    expect(humanDuration(45)).toBe('45 s');
    expect(humanDuration(900)).toBe('15 min');
    expect(humanDuration(5400)).toBe('1 h 30 min');
    expect(humanDuration(86_400 * 30)).toBe('30 days');
    expect(humanDuration(86_400 + 60)).toBe('1 day 1 min');
  });
});
