import { safeReturnPath } from './console-wire';

describe('safeReturnPath: where the browser goes after signing in', () => {
  it('keeps a path of the console, with its query', () => {
    expect(safeReturnPath('/projects/acme')).toBe('/projects/acme');
    expect(safeReturnPath('/projects/acme?tab=keys')).toBe('/projects/acme?tab=keys');
  });

  it('turns anything that could leave the console into /', () => {
    for (const target of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      'projects',
    ])
      expect(safeReturnPath(target)).toBe('/');
    expect(safeReturnPath(undefined)).toBe('/');
    expect(safeReturnPath('')).toBe('/');
  });

  it('never returns to an API route or to sign-in itself', () => {
    expect(safeReturnPath('/api/auth/sign-out')).toBe('/');
    expect(safeReturnPath('/sign-in?returnTo=/x')).toBe('/');
  });
});
