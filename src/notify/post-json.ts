/** POSTs JSON and rejects on a non-2xx answer or after `timeoutMs`: a hanging receiver costs a bounded wait, off the tick. */
export async function postJson(url: string, body: unknown, options: { timeoutMs: number; headers?: Record<string, string> }): Promise<void> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: text,
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  // Drain the body so the connection can be reused.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`answered HTTP ${response.status}`);
}
