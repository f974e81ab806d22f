import { formatSelfTime, topSelfTime, type CpuProfile } from './profile';

const frame = (functionName: string, url = '') => ({ functionName, url });

/** Two call sites of `sign`, one of `query`, the root and idle; samples every 1 ms from t=0. */
function profile(samples: number[], timeDeltas?: number[]): CpuProfile {
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)'), hitCount: 0 },
      { id: 2, callFrame: frame('sign', 'file:///w/node_modules/jose/sign.js'), hitCount: 0 },
      { id: 3, callFrame: frame('sign', 'file:///w/node_modules/jose/sign.js'), hitCount: 0 },
      { id: 4, callFrame: frame('query', 'file:///w/node_modules/pg/client.js'), hitCount: 0 },
      { id: 5, callFrame: frame('(idle)'), hitCount: 0 },
      { id: 6, callFrame: frame('', '/w/tools/bench/x.js'), hitCount: 0 },
    ],
    startTime: 0,
    endTime: (samples.length + 1) * 1000,
    samples,
    timeDeltas: timeDeltas ?? samples.map(() => 1000),
  };
}

describe('CPU profile self time', () => {
  it('sums the call sites of one function and ranks by self time, idle left out', () => {
    const rows = topSelfTime(profile([2, 3, 3, 4, 5, 5, 5, 5, 6]));
    expect(rows.map((row) => [row.name, row.selfMs])).toEqual([
      ['sign (file:///w/node_modules/jose/sign.js)', 3],
      ['query (file:///w/node_modules/pg/client.js)', 1],
      ['(anonymous) (/w/tools/bench/x.js)', 1],
    ]);
    expect(rows[0]!.percent).toBeCloseTo(60, 10);
  });

  it('gives each sample the time until the next one', () => {
    // Samples at 1, 2 and 12 ms (end 20 ms): query runs 1 ms, sign 10 ms, the last (query) until the end: 8 ms.
    const rows = topSelfTime({ ...profile([4, 2, 4], [1000, 1000, 10_000]), endTime: 20_000 });
    expect(rows.map((row) => [row.name.split(' ')[0], row.selfMs])).toEqual([
      ['sign', 10],
      ['query', 9],
    ]);
  });

  it('falls back to hit counts without sample timing', () => {
    const { samples: _samples, timeDeltas: _deltas, ...untimed } = profile([]);
    untimed.endTime = 4000;
    untimed.nodes[3]!.hitCount = 3;
    untimed.nodes[1]!.hitCount = 1;
    expect(topSelfTime(untimed).map((row) => [row.name.split(' ')[0], row.selfMs])).toEqual([
      ['query', 3],
      ['sign', 1],
    ]);
  });

  it('keeps the top n', () => {
    expect(topSelfTime(profile([2, 2, 4, 6]), 1).map((row) => row.name.split(' ')[0])).toEqual(['sign']);
  });

  it('prints paths after node_modules or the workspace', () => {
    const text = formatSelfTime(topSelfTime(profile([2, 2, 6])), '/w');
    expect(text.split('\n')).toEqual([
      '       2 ms  66.7%  sign (jose/sign.js)',
      '       1 ms  33.3%  (anonymous) (tools/bench/x.js)',
    ]);
  });

  it('sums by package: dependencies, Node internals, application code, native entries by name', () => {
    const packaged: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('a', 'file:///w/node_modules/@prisma/client/runtime/client.js') },
        { id: 2, callFrame: frame('b', 'file:///w/node_modules/@prisma/client/runtime/other.js') },
        { id: 3, callFrame: frame('c', 'file:///w/node_modules/pg/lib/result.js') },
        { id: 4, callFrame: frame('d', 'node:internal/crypto/util') },
        { id: 5, callFrame: frame('writev') },
        { id: 6, callFrame: frame('main', 'file:///w/dist/apps/api/main.js') },
      ],
      startTime: 0,
      endTime: 10_000,
      samples: [1, 2, 1, 3, 4, 5, 5, 6, 2],
      timeDeltas: Array.from({ length: 9 }, () => 1000),
    };
    expect(topSelfTime(packaged, 15, 'package').map((row) => [row.name, row.selfMs])).toEqual([
      ['@prisma/client', 4],
      ['writev', 2],
      ['pg', 1],
      ['node: internals', 1],
      ['(application code)', 1],
    ]);
  });
});
