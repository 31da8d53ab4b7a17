/**
 * The collector's own telemetry (Prometheus text on its telemetry endpoint), read directly: counters
 * such as otelcol_receiver_accepted_spans_total or a processor's decisions, summed over the series
 * whose labels match.
 */

/** Every sample of `name` (with or without the `_total` suffix): its labels and value. */
export async function telemetrySamples(telemetryUrl: string, name: string): Promise<Array<{ labels: Record<string, string>; value: number }>> {
  const text = await (await fetch(telemetryUrl)).text();
  const base = name.replace(/_total$/, '');
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || (m[1] !== base && m[1] !== `${base}_total`)) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum of `name` over the samples whose labels include `where`. */
export async function telemetrySum(telemetryUrl: string, name: string, where: Record<string, string> = {}): Promise<number> {
  return (await telemetrySamples(telemetryUrl, name))
    .filter((s) => Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}
