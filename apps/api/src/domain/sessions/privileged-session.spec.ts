import { isWithinPrivilegedWindow } from './privileged-session';

describe('isWithinPrivilegedWindow', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');
  it('is open for a sign-in younger than the window and closed from its end on', () => {
    expect(isWithinPrivilegedWindow(new Date(now.getTime() - 899_999), 900, now)).toBe(true);
    expect(isWithinPrivilegedWindow(new Date(now.getTime() - 900_000), 900, now)).toBe(false);
    expect(isWithinPrivilegedWindow(new Date(now.getTime() - 86_400_000), 900, now)).toBe(false);
  });
});
