import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { AdminModule } from '../admin.module';
import { ADMIN_REQUIREMENT } from './require-permission';

// Deny by default is enforced at run time (PermissionsGuard refuses an endpoint that declares nothing); this
// makes the same rule fail the build instead of a request: every route of every admin controller declares
// what it needs.

type Constructor = new (...args: never[]) => object;

describe('admin endpoints', () => {
  const controllers = Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, AdminModule) as Constructor[];

  const routes = controllers.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype)
      .filter((name) => name !== 'constructor')
      .map((name) => ({ controller, name, handler: controller.prototype[name as keyof object] as unknown }))
      .filter(({ handler }) => typeof handler === 'function' && Reflect.hasMetadata(METHOD_METADATA, handler)),
  );

  it('are found (the check sees the controllers)', () => {
    expect(controllers.length).toBeGreaterThan(3);
    expect(routes.length).toBeGreaterThan(15);
  });

  it.each(routes.map((route) => [`${route.controller.name}.${route.name}`, route] as const))(
    '%s declares a permission or requirement',
    (_, { controller, handler }) => {
      const requirement =
        Reflect.getMetadata(ADMIN_REQUIREMENT, handler as object) ?? Reflect.getMetadata(ADMIN_REQUIREMENT, controller);
      expect(Reflect.getMetadata(PATH_METADATA, handler as object)).toBeDefined();
      expect(requirement).toBeDefined();
    },
  );
});
