import { AsyncResource } from 'node:async_hooks';

/**
 * Node's own fix for DEP0172, brought forward to the Node versions that lack it. `AsyncResource#bind` on Node 20–24
 * gives every bound function a deprecated `asyncResource` getter and setter, each built by `util.deprecate`, which
 * also rewrites the wrapper's prototype. Fastify binds one function per request body (its content-type parser), and
 * on the token endpoint that came to about a tenth of a request's CPU. Node 25 removed the property (End-of-Life,
 * nodejs/node#58618) and binds exactly as below; nothing in Keyway or its dependencies reads it.
 *
 * Installed once, before the app is built, and only where the running Node still defines the property.
 */
export function installAsyncResourceBind(): void {
  const probe = new AsyncResource('keyway-probe').bind(() => undefined);
  if (!Object.prototype.hasOwnProperty.call(probe, 'asyncResource')) return;
  AsyncResource.prototype.bind = function bind<Func extends (...args: never[]) => unknown>(
    this: AsyncResource,
    fn: Func,
    thisArg?: unknown,
  ): Func {
    if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function');
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrapper needs both the resource and its own `this`
    const resource = this;
    const target = fn as unknown as (...args: unknown[]) => unknown;
    const bound =
      thisArg === undefined
        ? function (this: unknown, ...args: unknown[]) {
            return resource.runInAsyncScope(target, this, ...args);
          }
        : resource.runInAsyncScope.bind(resource, target, thisArg);
    Object.defineProperty(bound, 'length', {
      configurable: true,
      enumerable: false,
      value: fn.length,
      writable: false,
    });
    return bound as unknown as Func;
  };
}
