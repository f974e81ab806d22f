import path from 'node:path';
import type { NextConfig } from 'next';

// The repository root: the one package-lock.json and node_modules live there. Turbopack and output
// file tracing must both see it, or they pick a root by guessing and warn.
const workspaceRoot = path.join(__dirname, '..', '..');

const nextConfig: NextConfig = {
  // Only the Docker image needs the self-contained server (docker/Dockerfile.console sets this);
  // `next start` warns when it sees a standalone build, so local builds stay regular ones.
  output: process.env['CONSOLE_STANDALONE'] === '1' ? 'standalone' : undefined,
  outputFileTracingRoot: workspaceRoot,
  turbopack: { root: workspaceRoot },
  reactStrictMode: true,
  poweredByHeader: false,
};

export default nextConfig;
