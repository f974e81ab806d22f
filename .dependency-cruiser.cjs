// Architecture of apps/api/src, checked by `nx run api:lint` (docs/architecture.md explains the layers).
// Layers, lowest first: infra → domain → methods → flows → fronts | admin. A layer imports only layers below it
// (and itself); fronts and admin never import each other. Units (a layer's first-level folders) import each other
// without cycles: tools/architecture/check.mjs runs these rules and that check.
const SRC = '^apps/api/src/';
const below = {
  infra: [],
  domain: ['infra'],
  methods: ['infra', 'domain'],
  flows: ['infra', 'domain', 'methods'],
  fronts: ['infra', 'domain', 'methods', 'flows'],
  admin: ['infra', 'domain', 'methods', 'flows'],
};
const layers = Object.keys(below);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layers.map((layer) => ({
      name: `layer-${layer}`,
      severity: 'error',
      comment: `${layer}/ may import only ${below[layer].join(', ') || 'itself'} (and itself).`,
      from: { path: `${SRC}${layer}/` },
      to: { path: `${SRC}(${layers.filter((l) => l !== layer && !below[layer].includes(l)).join('|')})/` },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['apps/api/src/generated', '\\.spec\\.ts$', '\\.testing\\.ts$', '\\.fixture\\.ts$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
  },
};
