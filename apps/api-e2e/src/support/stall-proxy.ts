import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that can play an outage:
 * - `forward`: passes bytes both ways;
 * - `stall`: accepts connections and keeps them open but passes nothing, in either direction (a server
 *   that hangs, a black-holed network); what was held back is delivered when forwarding resumes;
 * - `refuse`: resets every new connection at once (a server that is down or not started yet).
 */
export type ProxyMode = 'forward' | 'stall' | 'refuse';

export class StallProxy {
  private server: Server | undefined;
  private mode: ProxyMode;
  private readonly held: Array<() => void> = [];
  private readonly sockets = new Set<Socket>();
  private connectionSeen: (() => void) | undefined;
  /**
   * Settles at the first connection attempt, whatever the mode: an outage played on a schedule starts from the
   * client's first try, not from when its process was spawned (a loaded machine boots Node slowly).
   */
  readonly firstConnection = new Promise<void>((resolve) => (this.connectionSeen = resolve));

  constructor(
    private readonly target: { host: string; port: number },
    initial: ProxyMode = 'forward',
  ) {
    this.mode = initial;
  }

  port = 0;

  async start(): Promise<void> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /** The same URL, through this proxy. */
  wrap(url: string): string {
    const through = new URL(url);
    through.hostname = '127.0.0.1';
    through.port = String(this.port);
    return through.toString();
  }

  set(mode: ProxyMode): void {
    this.mode = mode;
    if (mode === 'forward') for (const release of this.held.splice(0)) release();
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    this.connectionSeen?.();
    if (this.mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    const pipe = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (this.mode === 'forward') to.write(chunk);
        else this.held.push(() => to.write(chunk));
      });
    pipe(client, upstream);
    pipe(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}
