import { pageLanguage, pageTexts } from './page-texts';

describe('pageLanguage', () => {
  it('takes the first ui_locales tag it has, then Accept-Language by quality, then English', () => {
    expect(pageLanguage(['fr', 'de-CH'], 'en')).toBe('de');
    expect(pageLanguage(undefined, 'fr;q=0.9, de-DE;q=0.8, en;q=0.5')).toBe('de');
    expect(pageLanguage(undefined, 'en;q=0.2, de;q=0.9')).toBe('de');
    expect(pageLanguage(['fr'], 'it')).toBe('en');
    expect(pageLanguage(undefined, undefined)).toBe('en');
    expect(pageLanguage(undefined, 'de;q=0, en')).toBe('en');
  });

  it('has every text in both languages', () => {
    const en = pageTexts('en');
    const de = pageTexts('de');
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(de.actions).sort()).toEqual(Object.keys(en.actions).sort());
  });
});
