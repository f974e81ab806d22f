import {
  chooseMailLocale,
  formatMailDate,
  localeCandidates,
  localeTrait,
  MAX_UI_LOCALES,
  ownChain,
  parseUiLocales,
} from './mail-locale';

describe('ui_locales', () => {
  it('keeps canonical tags in order, drops invalid ones and repeats', () => {
    expect(parseUiLocales('de-ch  fr_FR en-gb DE-CH not!a!tag en')).toEqual(['de-CH', 'en-GB', 'en']);
  });

  it('is undefined when nothing usable was sent', () => {
    expect(parseUiLocales(undefined)).toBeUndefined();
    expect(parseUiLocales('')).toBeUndefined();
    expect(parseUiLocales('   ')).toBeUndefined();
    expect(parseUiLocales('!! ??')).toBeUndefined();
  });

  it(`keeps at most ${MAX_UI_LOCALES}`, () => {
    const tags = ['de', 'fr', 'it', 'es', 'pt', 'nl', 'sv', 'da', 'fi', 'pl', 'cs', 'ja'];
    expect(parseUiLocales(tags.join(' '))).toEqual(tags.slice(0, MAX_UI_LOCALES));
  });
});

describe('mail locale', () => {
  const shipped = new Set(['en', 'de']);

  it('puts the identity locale before ui_locales, canonical and without repeats', () => {
    expect(localeCandidates('de-at', ['fr', 'de-AT', 'en'])).toEqual(['de-AT', 'fr', 'en']);
    expect(localeCandidates(undefined, undefined)).toEqual([]);
    expect(localeCandidates('not a tag', ['x!'])).toEqual([]);
  });

  it("looks in a candidate's locale and language, never in the English fallback", () => {
    expect(ownChain('de-CH')).toEqual(['de-CH', 'de']);
    expect(ownChain('de')).toEqual(['de']);
    expect(ownChain('en-GB')).toEqual(['en-GB', 'en']);
  });

  it('takes the first candidate with a template in its locale or language', () => {
    expect(chooseMailLocale(['de-CH', 'en'], shipped, 'en')).toBe('de-CH');
    expect(chooseMailLocale(['en-GB', 'de'], shipped, 'de')).toBe('en-GB');
  });

  it('skips candidates that would only fall back to English', () => {
    expect(chooseMailLocale(['fr', 'de'], shipped, 'en')).toBe('de');
    expect(chooseMailLocale(['fr-CA', 'it'], shipped, 'en')).toBe('en');
  });

  it("uses a project's own template in a locale Keyway does not ship", () => {
    expect(chooseMailLocale(['fr-CA', 'de'], new Set([...shipped, 'fr']), 'en')).toBe('fr-CA');
  });

  it('falls back to the project default locale', () => {
    expect(chooseMailLocale([], shipped, 'de')).toBe('de');
    expect(chooseMailLocale(['ja'], shipped, 'de')).toBe('de');
  });

  it('reads the locale trait only when the schema declares it and the value is a tag', () => {
    expect(localeTrait({ locale: 'de-ch' }, true)).toBe('de-CH');
    expect(localeTrait({ locale: 'de-ch' }, false)).toBeUndefined();
    expect(localeTrait({ locale: 'not a tag' }, true)).toBeUndefined();
    expect(localeTrait({ locale: 42 }, true)).toBeUndefined();
    expect(localeTrait(null, true)).toBeUndefined();
  });

  it('formats dates in the mail locale, in UTC', () => {
    const date = new Date('2026-03-05T09:07:00Z');
    expect(formatMailDate(date, 'en')).toBe('March 5, 2026 at 9:07 AM UTC');
    expect(formatMailDate(date, 'de-CH')).toBe('5. März 2026 um 09:07 UTC');
  });
});
