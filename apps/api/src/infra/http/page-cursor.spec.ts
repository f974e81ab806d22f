import { randomUUID } from 'node:crypto';
import { ApiError } from './errors';
import { cursorPosition, decodeCursor, encodeCursor, pageOf, PageLimit } from './page-cursor';

describe('page cursors', () => {
  it('round-trip a position and refuse anything that is not one', () => {
    const position = { createdAt: new Date('2026-12-01T09:30:00.123Z'), id: randomUUID() };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
    for (const bad of ['', 'not a cursor', Buffer.from('2026-12-01|x').toString('base64url'), 'a'.repeat(300)])
      expect(decodeCursor(bad)).toBeUndefined();
    const refused = (() => {
      try {
        return cursorPosition('garbage!');
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).fields?.[0]?.field).toBe('cursor');
    expect(cursorPosition(undefined)).toBeUndefined();
  });

  it('make a page of `limit` rows from limit + 1, the cursor naming the last row shown', () => {
    const rows = [3, 2, 1].map((n) => ({ createdAt: new Date(n * 1000), id: randomUUID(), n }));
    const page = pageOf(rows, 2, (row) => row.n);
    expect(page.items).toEqual([3, 2]);
    expect(decodeCursor(page.nextCursor as string)).toEqual({ createdAt: rows[1]?.createdAt, id: rows[1]?.id });
    expect(pageOf(rows, 3, (row) => row.n)).toEqual({ items: [3, 2, 1], nextCursor: null });
  });

  it('take limits from 1 to 100, 25 by default', () => {
    expect(PageLimit.parse(undefined)).toBe(25);
    expect(PageLimit.parse('100')).toBe(100);
    for (const bad of ['0', '101', '-1', '2.5', 'ten', '']) expect(PageLimit.safeParse(bad).success).toBe(false);
  });
});
