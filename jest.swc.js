// One SWC configuration for every Jest project: TypeScript with Nest's decorator metadata, emitted as
// CommonJS. ESM-only dependencies (jose, openid-client, oauth4webapi) are transformed with it too.
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
