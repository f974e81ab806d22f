import { AdminApiError } from '@keyway/admin-client';
import { canonicalLocale, templateErrors } from './email-labels';

describe('templateErrors', () => {
  it('puts each "part: problem" line of a refused template beside its part', () => {
    const error = new AdminApiError(400, {
      code: 'KW-40000',
      message: 'Invalid request.',
      description:
        "subject: unknown variable 'pasword' (known: projectName, email, name, code, expiresInMinutes); " +
        'text: Unclosed section "code" at 12; html: partials ({{> footer}}) are not supported; ' +
        "html: unknown variable 'x' (known: projectName)",
    });
    expect(templateErrors(error)).toEqual({
      subject: "unknown variable 'pasword' (known: projectName, email, name, code, expiresInMinutes)",
      text: 'Unclosed section "code" at 12',
      html: "partials ({{> footer}}) are not supported · unknown variable 'x' (known: projectName)",
    });
  });

  it('uses the fields the API named, and keeps what names no part for the form', () => {
    const error = new AdminApiError(400, {
      code: 'KW-40000',
      message: 'Invalid request.',
      description: 'subject: must be a single line; colour: Unrecognized key',
      fields: [
        { field: 'subject', message: 'must be a single line' },
        { field: 'colour', message: 'Unrecognized key' },
      ],
    });
    expect(templateErrors(error)).toEqual({ subject: 'must be a single line', other: 'colour: Unrecognized key' });
  });

  it('keeps a message that names no part whole', () => {
    const error = new AdminApiError(404, {
      code: 'KW-40400',
      message: 'Not found.',
      description: "No email template kind 'nope' (kinds: welcome).",
    });
    expect(templateErrors(error)).toEqual({ other: "No email template kind 'nope' (kinds: welcome)." });
    expect(templateErrors(new TypeError('Failed to fetch'))).toEqual({ other: 'Failed to fetch' });
  });
});

describe('canonicalLocale', () => {
  it('canonicalises BCP 47 tags and refuses what is not one', () => {
    expect(canonicalLocale(' de-ch ')).toBe('de-CH');
    expect(canonicalLocale('FR')).toBe('fr');
    expect(canonicalLocale('not a tag')).toBeUndefined();
  });
});
