import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { installAsyncResourceBind } from './async-resource-bind';

describe('installAsyncResourceBind', () => {
  const original = AsyncResource.prototype.bind;
  beforeAll(() => installAsyncResourceBind());
  afterAll(() => {
    AsyncResource.prototype.bind = original;
  });

  it('binds without the deprecated asyncResource property', () => {
    const bound = new AsyncResource('test').bind(() => 1);
    expect(Object.prototype.hasOwnProperty.call(bound, 'asyncResource')).toBe(false);
    expect(bound()).toBe(1);
  });

  it('runs the function in the async context where the resource was made, whoever calls it later', async () => {
    const storage = new AsyncLocalStorage<string>();
    const bound = storage.run('request-1', () =>
      new AsyncResource('test').bind((x: number) => `${storage.getStore()}:${x}`),
    );
    const later = await storage.run(
      'request-2',
      () => new Promise<string>((resolve) => setImmediate(() => resolve(bound(7)))),
    );
    expect(later).toBe('request-1:7');
    expect(AsyncResource.bind(() => storage.getStore())()).toBeUndefined();
  });

  it("passes the caller's `this` and arguments, or the thisArg given, and keeps the function's length", () => {
    const resource = new AsyncResource('test');
    function whoAmI(this: { name: string } | undefined, a: number, b: number): string {
      return `${this?.name}:${a + b}`;
    }
    const unbound = resource.bind(whoAmI);
    expect(unbound.call({ name: 'caller' }, 1, 2)).toBe('caller:3');
    // bind(fn, thisArg): Node's signature, which @types/node leaves out.
    const fixed = Reflect.apply(resource.bind, resource, [whoAmI, { name: 'fixed' }]) as typeof whoAmI;
    expect(fixed.call({ name: 'caller' }, 1, 2)).toBe('fixed:3');
    expect(unbound.length).toBe(2);
  });

  it('refuses what is not a function, as Node does', () => {
    expect(() => new AsyncResource('test').bind('x' as unknown as () => void)).toThrow(TypeError);
  });
});
