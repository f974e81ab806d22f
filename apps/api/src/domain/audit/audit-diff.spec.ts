import { auditDiff, REDACTED } from './audit-diff';

describe('auditDiff', () => {
  it('lists only the fields that changed, nested objects by dotted path, arrays as a whole', () => {
    const before = {
      name: 'Shop',
      settings: { lockout: { maxAttempts: 5, durationSeconds: 900 }, flowTtlSeconds: 600 },
    };
    const after = {
      name: 'Shop',
      settings: { lockout: { maxAttempts: 3, durationSeconds: 900 }, flowTtlSeconds: 600 },
      redirectUris: ['a:/cb'],
    };
    expect(auditDiff(before, after)).toEqual({
      redirectUris: { before: null, after: ['a:/cb'] },
      'settings.lockout.maxAttempts': { before: 5, after: 3 },
    });
    expect(
      auditDiff({ grantTypes: ['authorization_code'] }, { grantTypes: ['authorization_code', 'refresh_token'] }),
    ).toEqual({ grantTypes: { before: ['authorization_code'], after: ['authorization_code', 'refresh_token'] } });
  });

  it('is empty when nothing changed, and shows removed fields as null', () => {
    expect(auditDiff({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } })).toEqual({});
    expect(auditDiff({ fromName: 'Shop' }, { fromName: undefined })).toEqual({
      fromName: { before: 'Shop', after: null },
    });
  });

  it('redacts secrets wherever they are, saying only that they were set, changed or removed', () => {
    expect(auditDiff({ host: 'a', password: 'old' }, { host: 'b', password: 'new' })).toEqual({
      host: { before: 'a', after: 'b' },
      password: { before: REDACTED, after: REDACTED },
    });
    expect(auditDiff({ password: null }, { password: 'first' })).toEqual({
      password: { before: null, after: REDACTED },
    });
    expect(auditDiff({ smtp: { password: 'x' } }, { smtp: {} })).toEqual({
      'smtp.password': { before: REDACTED, after: null },
    });
    expect(auditDiff({ clientSecret: 'a' }, { clientSecret: 'b' })).toEqual({
      clientSecret: { before: REDACTED, after: REDACTED },
    });
    // Unchanged secrets are not mentioned at all.
    expect(auditDiff({ password: 'same', port: 25 }, { password: 'same', port: 587 })).toEqual({
      port: { before: 25, after: 587 },
    });
  });

  it('redacts the extra fields a caller names, and stores dates as ISO strings', () => {
    expect(auditDiff({ apiToken: 'a' }, { apiToken: 'b' }, ['apiToken'])).toEqual({
      apiToken: { before: REDACTED, after: REDACTED },
    });
    expect(auditDiff({ at: new Date(0) }, { at: new Date(1000) })).toEqual({
      at: { before: '1970-01-01T00:00:00.000Z', after: '1970-01-01T00:00:01.000Z' },
    });
  });

  it('records long strings (an email template) by length and digest', () => {
    const html = `<p>${'x'.repeat(3000)}</p>`;
    const changes = auditDiff({ subject: 'Hi', html: '<p>short</p>' }, { subject: 'Hello', html });
    expect(changes['subject']).toEqual({ before: 'Hi', after: 'Hello' });
    expect(changes['html']).toEqual({
      before: '<p>short</p>',
      after: { length: html.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });

  it('compares whole values when an object turns into something else', () => {
    expect(auditDiff({ loginFlow: [['BasicAuthenticator']] }, { loginFlow: { steps: 1 } })).toEqual({
      loginFlow: { before: [['BasicAuthenticator']], after: { steps: 1 } },
    });
    expect(auditDiff(1, 2)).toEqual({ value: { before: 1, after: 2 } });
  });
});
