import type { EmailWorkerConfig } from '../../infra/config/config';

/**
 * Delay before retry number `attempt` (1 = the retry after the first failed attempt): exponential,
 * base · 2^(attempt−1), capped at max, with "equal jitter" — a random point in the upper half — so
 * messages that failed together (SMTP down) do not all come back in the same instant, while the delay
 * never drops below half the schedule.
 */
export function retryDelayMs(
  attempt: number,
  config: Pick<EmailWorkerConfig, 'retryBaseMs' | 'retryMaxMs'>,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(config.retryMaxMs, config.retryBaseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}
