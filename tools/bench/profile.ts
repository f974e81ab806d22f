/** Reading a V8 `.cpuprofile` (node --cpu-prof) without DevTools: where the self time went. */

/** The parts of V8's CPU profile format (the Chrome DevTools Protocol's Profiler.Profile) used here. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; hitCount?: number }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  /** Microseconds from the previous sample (the first: from startTime). */
  timeDeltas?: number[];
}

export interface SelfTime {
  /** `functionName (url)`; `(anonymous)` for unnamed functions, the url left out for V8's own entries. */
  name: string;
  selfMs: number;
  /** Of the busy sampled time (everything but V8's `(idle)`). */
  percent: number;
}

/**
 * Self time per function, summed over every call site (nodes of the same functionName + url), largest first;
 * `(idle)` (the event loop waiting) is left out, so the shares are of the time the thread was busy.
 * A sample's time is the gap to the next sample, as DevTools counts it; the last sample gets the gap to endTime.
 * Profiles without timing fall back to hit counts times the mean interval. By `package`, functions are summed per
 * npm package (`@prisma/client`, `pg`), Node's own modules together, the rest of the scripts together, and native
 * entries without a script (`writev`, `(garbage collector)`) by name.
 */
export function topSelfTime(profile: CpuProfile, limit = 15, groupBy: 'function' | 'package' = 'function'): SelfTime[] {
  const nodeMs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length > 0 && deltas.length === samples.length) {
    let at = profile.startTime;
    const times = deltas.map((delta) => (at += delta));
    samples.forEach((id, i) => {
      const next = i + 1 < times.length ? times[i + 1]! : Math.max(profile.endTime, times[i]!);
      nodeMs.set(id, (nodeMs.get(id) ?? 0) + (next - times[i]!) / 1000);
    });
  } else {
    const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
    const interval = hits ? (profile.endTime - profile.startTime) / 1000 / hits : 0;
    for (const node of profile.nodes) nodeMs.set(node.id, (node.hitCount ?? 0) * interval);
  }
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const ms = nodeMs.get(node.id) ?? 0;
    const { functionName, url } = node.callFrame;
    if (ms === 0 || functionName === '(idle)') continue;
    const name =
      groupBy === 'package'
        ? packageOf(functionName, url)
        : `${functionName || '(anonymous)'}${url ? ` (${url})` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    total += ms;
  }
  return [...byFunction]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, selfMs]) => ({ name, selfMs, percent: total ? (selfMs / total) * 100 : 0 }));
}

function packageOf(functionName: string, url: string): string {
  if (!url) return functionName || '(native)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dependency) return dependency[1]!;
  return url.startsWith('node:') ? 'node: internals' : '(application code)';
}

/** The rows as text, one function per line, paths shortened to what follows node_modules/ or the workspace. */
export function formatSelfTime(rows: readonly SelfTime[], root = ''): string {
  return rows
    .map((row) => {
      const name = row.name
        .replace(/file:\/\//g, '')
        .replace(/\([^)]*node_modules\//, '(')
        .replace(root ? `(${root}/` : '\0', '(');
      return `${row.selfMs.toFixed(0).padStart(8)} ms ${row.percent.toFixed(1).padStart(5)}%  ${name}`;
    })
    .join('\n');
}
