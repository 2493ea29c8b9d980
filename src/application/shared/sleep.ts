/**
 * Resolves after `ms`, or at once when `signal` aborts; never rejects, so a stopping loop just
 * checks its signal after the wait. The one sleep of the adapters (HTTP retries, rate limits,
 * projection polls) and of the push loop (vk-push-job.ts).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
