export type VkParamValue =
  string | number | boolean | ReadonlyArray<string | number> | null | undefined;
export type VkParams = Record<string, VkParamValue>;

/** One API call, to send alone or inside an execute. */
export interface VkCall {
  method: string;
  params: VkParams;
}

/** VK's wire form: booleans as 1/0, arrays comma-separated, absent values left out. */
export function flattenParams(params: VkParams): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) out[key] = value.join(',');
    else if (typeof value === 'boolean') out[key] = value ? 1 : 0;
    else out[key] = value as string | number;
  }
  return out;
}

export function formBody(params: VkParams): URLSearchParams {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(flattenParams(params))) body.set(key, String(value));
  return body;
}

/** `execute(12 calls: market.add×10, market.edit×2)`: how a batch shows in the request log. */
export function describeCalls(calls: readonly VkCall[]): string {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c.method, (counts.get(c.method) ?? 0) + 1);
  const parts = [...counts].map(([m, n]) => `${m}×${n}`).join(', ');
  return `execute(${calls.length} call${calls.length === 1 ? '' : 's'}: ${parts})`;
}
