export interface HealthReport {
  ok: boolean;
  /** anything a person reading /health should see: latency, lag, state */
  [detail: string]: unknown;
}

/** One thing /health looks at. A required check that fails makes the service unhealthy (503). */
export interface HealthCheck {
  name: string;
  required: boolean;
  check(): Promise<HealthReport>;
}

/** Runs every check with a deadline, so one hanging dependency cannot hang /health. */
export async function runHealthChecks(
  checks: HealthCheck[],
  timeoutMs = 2000,
): Promise<{ ok: boolean; checks: Record<string, HealthReport & { required: boolean }> }> {
  const results = await Promise.all(
    checks.map(async (c) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<HealthReport>((resolve) => {
        timer = setTimeout(
          () => resolve({ ok: false, error: `no answer in ${timeoutMs} ms` }),
          timeoutMs,
        );
      });
      try {
        const report = await Promise.race([
          c.check().catch((e: unknown) => ({
            ok: false,
            error: e instanceof Error ? e.message : String(e),
          })),
          timeout,
        ]);
        return [c.name, { ...report, required: c.required }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const ok = results.every(([, r]) => r.ok || !r.required);
  return { ok, checks: Object.fromEntries(results) };
}
