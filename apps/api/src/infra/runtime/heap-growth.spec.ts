import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The flag must take effect although the process is already running: each case is a fresh node process that calls
 * limitHeapGrowth, keeps a steady live set and churns garbage, and reports the largest heap it reached.
 */
function peakHeapMiB(percent: number): number {
  const script = `
    const { limitHeapGrowth } = require(${JSON.stringify(path.join(__dirname, 'heap-growth.ts'))});
    limitHeapGrowth(${percent});
    const live = [];
    for (let i = 0; i < 400000; i++) live.push({ i, s: 'live' + i });
    const ring = new Array(200000);
    let peak = 0;
    for (let i = 0; i < 6000000; i++) {
      ring[i % ring.length] = { i, s: 'garbage' + i };
      if (i % 50000 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    process.stdout.write(String(peak / 1048576));`;
  const run = spawnSync(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', '-e', script], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return Number(run.stdout);
}

describe('limitHeapGrowth', () => {
  it('keeps the old generation within the given growth over what survives, set after start-up', () => {
    const tight = peakHeapMiB(10);
    const loose = peakHeapMiB(300);
    expect(tight).toBeLessThan(loose * 0.75);
  }, 60_000);
});
