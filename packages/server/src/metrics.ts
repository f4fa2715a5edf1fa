/**
 * Prometheus text exposition (format 0.0.4) for the few series the server keeps: HTTP requests by
 * route/method/status, request latency histogram, errors, MCP tool calls, and gauges for sessions and
 * the index in use. Small enough to keep in-house rather than add a client library.
 */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]) this.counts[i]++;
  }
}

export interface GaugeSource {
  openSessions(): number;
  indexVersion(): string;
  indexKind(): string;
  eventsWritten(): number;
  trajectoriesWritten(): number;
  reloads(): number;
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly errors = new Map<string, number>();
  private readonly tools = new Map<string, number>();
  private readonly toolLatency = new Map<string, Histogram>();

  constructor(private readonly gauges?: GaugeSource) {}

  request(route: string, method: string, status: number, startNs: bigint): void {
    const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
    inc(this.requests, labels({ route, method, status: String(status) }));
    hist(this.latency, labels({ route })).observe(seconds);
    if (status >= 400) inc(this.errors, labels({ route, class: status >= 500 ? '5xx' : '4xx' }));
  }

  toolCall(tool: string, outcome: 'ok' | 'client_error' | 'error', startNs: bigint): void {
    inc(this.tools, labels({ tool, outcome }));
    hist(this.toolLatency, labels({ tool })).observe(Number(process.hrtime.bigint() - startNs) / 1e9);
  }

  render(): string {
    const out: string[] = [];
    counter(out, 'lrat_http_requests_total', 'HTTP requests by route, method and status.', this.requests);
    histogram(out, 'lrat_http_request_duration_seconds', 'HTTP request latency by route.', this.latency);
    counter(out, 'lrat_http_errors_total', 'HTTP responses with status >= 400, by route and class.', this.errors);
    counter(out, 'lrat_mcp_tool_calls_total', 'MCP tool calls by tool and outcome.', this.tools);
    histogram(out, 'lrat_mcp_tool_duration_seconds', 'MCP tool call latency by tool.', this.toolLatency);
    const g = this.gauges;
    if (g) {
      gauge(out, 'lrat_open_sessions', 'Sessions being recorded now.', g.openSessions());
      counterValue(out, 'lrat_trajectory_events_total', 'Events appended to session logs.', g.eventsWritten());
      counterValue(out, 'lrat_trajectories_written_total', 'Trajectories written on session close.', g.trajectoriesWritten());
      counterValue(out, 'lrat_index_reloads_total', 'Successful index hot swaps.', g.reloads());
      out.push('# HELP lrat_index_info The index serving searches (value 1).', '# TYPE lrat_index_info gauge');
      out.push(`lrat_index_info${labels({ kind: g.indexKind(), version: g.indexVersion() })} 1`);
    }
    return out.join('\n') + '\n';
  }
}

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return `{${parts.join(',')}}`;
}

function inc(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

function hist(m: Map<string, Histogram>, key: string): Histogram {
  let h = m.get(key);
  if (!h) m.set(key, (h = new Histogram()));
  return h;
}

function counter(out: string[], name: string, help: string, m: Map<string, number>): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
  for (const [l, v] of m) out.push(`${name}${l} ${v}`);
}

function counterValue(out: string[], name: string, help: string, v: number): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${v}`);
}

function gauge(out: string[], name: string, help: string, v: number): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${v}`);
}

function histogram(out: string[], name: string, help: string, m: Map<string, Histogram>): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  for (const [l, h] of m) {
    const inner = l.slice(1, -1);
    const sep = inner ? ',' : '';
    LATENCY_BUCKETS.forEach((b, i) => out.push(`${name}_bucket{${inner}${sep}le="${b}"} ${h.counts[i]}`));
    out.push(`${name}_bucket{${inner}${sep}le="+Inf"} ${h.count}`);
    out.push(`${name}_sum${l} ${h.sum}`, `${name}_count${l} ${h.count}`);
  }
}
