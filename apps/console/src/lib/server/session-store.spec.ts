import { MemorySessionStore, processWideStore } from './session-store';

describe('MemorySessionStore', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('answers a record until it expires, then never again', async () => {
    const store = new MemorySessionStore<string>(10);
    await store.set('a', 'session', Date.now() + 1000);
    expect(await store.get('a')).toBe('session');
    jest.setSystemTime(Date.now() + 999);
    expect(await store.get('a')).toBe('session');
    jest.setSystemTime(Date.now() + 1);
    expect(await store.get('a')).toBeUndefined();
  });

  it('replaces and deletes', async () => {
    const store = new MemorySessionStore<number>(10);
    await store.set('a', 1, Date.now() + 1000);
    await store.set('a', 2, Date.now() + 1000);
    expect(await store.get('a')).toBe(2);
    await store.delete('a');
    expect(await store.get('a')).toBeUndefined();
  });

  it('past its capacity, drops the record written longest ago', async () => {
    const store = new MemorySessionStore<string>(2);
    const later = Date.now() + 60_000;
    await store.set('a', 'a', later);
    await store.set('b', 'b', later);
    await store.set('a', 'a again', later); // written again: now the newest
    await store.set('c', 'c', later);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe('a again');
    expect(await store.get('c')).toBe('c');
  });
});

describe('processWideStore', () => {
  it('gives every caller in the process the same store for a name', () => {
    const first = processWideStore('spec', () => new MemorySessionStore<string>(1));
    const second = processWideStore('spec', () => new MemorySessionStore<string>(1));
    expect(second).toBe(first);
    expect(processWideStore('another spec', () => new MemorySessionStore<string>(1))).not.toBe(first);
  });
});
