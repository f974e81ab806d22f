import { setFlagsFromString } from 'node:v8';

/**
 * Caps how far V8 lets the old generation grow between full collections: to `percent` % over what survived the
 * last one (V8's `--heap-growing-percent`). Left to itself, V8 picks a factor of up to 4 on a fast machine, and
 * under load the API's old space grew from about 60 to 130 MiB of mostly dead request objects before it was
 * collected. At 30 %, with the launchers' 2 × 4 MiB young generation, the token rows of the bench peaked at 187–202 MiB
 * instead of 220–350, for about 2–8 % more CPU (docs/benchmark.md, "Memory").
 *
 * V8 reads this flag each time it sets the next collection's limit, so it takes effect when set at start-up,
 * unlike the young generation's size (`--max-semi-space-size`), which the launchers pass to node.
 * 0 leaves V8's own heuristics.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
