#!/usr/bin/env node
// The API's architecture check (part of `nx run api:lint`): the layer rules of .dependency-cruiser.cjs, and no
// cycles between units, a unit being one first-level folder of a layer (domain/identities, methods/totp,
// fronts/oauth …; the files directly in a layer folder form a unit of their own). Cycles inside a unit are
// allowed: a unit is read as a whole.
import { createRequire } from 'node:module';
import { cruise } from 'dependency-cruiser';

const require = createRequire(import.meta.url);
const config = require('../../.dependency-cruiser.cjs');
const SRC = 'apps/api/src/';
const LAYERS = ['infra', 'domain', 'methods', 'flows', 'fronts', 'admin'];

const { output } = await cruise([SRC], { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true });
const problems = output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);

/** The unit a source file belongs to, or undefined outside the layers (main.ts, app.module.ts). */
function unitOf(file) {
  if (!file.startsWith(SRC)) return undefined;
  const parts = file.slice(SRC.length).split('/');
  if (!LAYERS.includes(parts[0])) return undefined;
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0];
}

const edges = new Map(); // unit → Map(unit → example import)
for (const module of output.modules) {
  const from = unitOf(module.source);
  if (!from) continue;
  for (const dependency of module.dependencies) {
    const to = unitOf(dependency.resolved);
    if (!to || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${module.source} → ${dependency.resolved}`);
  }
}

// Tarjan's strongly connected components: every component with more than one unit is a cycle.
let counter = 0;
const index = new Map(),
  low = new Map(),
  stack = [],
  onStack = new Set();
function connect(unit) {
  index.set(unit, counter);
  low.set(unit, counter++);
  stack.push(unit);
  onStack.add(unit);
  for (const next of edges.get(unit)?.keys() ?? []) {
    if (!index.has(next)) {
      connect(next);
      low.set(unit, Math.min(low.get(unit), low.get(next)));
    } else if (onStack.has(next)) low.set(unit, Math.min(low.get(unit), index.get(next)));
  }
  if (low.get(unit) !== index.get(unit)) return;
  const component = [];
  let member;
  do {
    member = stack.pop();
    onStack.delete(member);
    component.push(member);
  } while (member !== unit);
  if (component.length < 2) return;
  const inside = new Set(component);
  const imports = component.flatMap((a) =>
    [...(edges.get(a) ?? [])].filter(([b]) => inside.has(b)).map(([, example]) => `    ${example}`),
  );
  problems.push(`unit cycle between ${component.sort().join(', ')}:\n${imports.join('\n')}`);
}
for (const unit of edges.keys()) if (!index.has(unit)) connect(unit);

if (problems.length) {
  console.error(`Architecture check failed (${problems.length}):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`Architecture check passed: ${output.summary.totalCruised} modules, ${edges.size} units.`);
