import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { NextConfig } from 'next';

// The repository root: the one package-lock.json and node_modules live there. Turbopack and output
// file tracing must both see it, or they pick a root by guessing and warn.
const workspaceRoot = path.join(__dirname, '..', '..');

// A git worktree may share another checkout's node_modules through a symlink; Turbopack compiles nothing
// outside its root, so the root is then the closest folder holding both. A plain checkout is unchanged.
const nodeModules = realpathSync(path.join(workspaceRoot, 'node_modules'));
const compileRoot = commonAncestor(workspaceRoot, path.dirname(nodeModules));

function commonAncestor(a: string, b: string): string {
  const [left, right] = [path.resolve(a).split(path.sep), path.resolve(b).split(path.sep)];
  let shared = 0;
  while (shared < left.length && left[shared] === right[shared]) shared++;
  return left.slice(0, shared).join(path.sep) || path.sep;
}

const nextConfig: NextConfig = {
  // Only the Docker image needs the self-contained server (docker/Dockerfile.console sets this);
  // `next start` warns when it sees a standalone build, so local builds stay regular ones.
  output: process.env['CONSOLE_STANDALONE'] === '1' ? 'standalone' : undefined,
  outputFileTracingRoot: compileRoot,
  turbopack: { root: compileRoot },
  reactStrictMode: true,
  poweredByHeader: false,
  // An admin console must not be framed (clickjacking) and its JSON must not be sniffed into anything else.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Content-Security-Policy', value: "frame-ancestors 'none'" },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;
