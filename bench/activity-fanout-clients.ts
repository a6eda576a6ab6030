/**
 * @module
 * The browsers of bench/activity-fanout.ts, in their own process so their CPU is not the server's:
 * opens N SSE connections (node:http, no EventSource overhead), and for every event received
 * records `now - sent` in a histogram, where `sent` is the wall-clock time the bench put in the event's
 * `data.arg[0]`. Speaks to the parent over IPC: `ready` once every stream got its status event;
 * on `snapshot`, sends the latencies (ms) measured since the last one; on `exit`, exits.
 *
 *   (spawned by the bench) tsx bench/activity-fanout-clients.ts <url> <cookie> <count>
 */
import http from 'node:http';

const [url, cookie, countArg] = process.argv.slice(2);
const count = Number(countArg);
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
/** Latency histogram: 0.1 ms buckets (bucket → count), so a million deliveries stay small. */
let latencies = new Map<number, number>();
let received = 0;
let ready = 0;
const requests: http.ClientRequest[] = [];
const ARG = Buffer.from('"arg":[');
const STATUS = Buffer.from('event: status');

const wall = () => performance.timeOrigin + performance.now();
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

for (let i = 0; i < count; i++) {
  const req = http.get(`${url}/api/activity/stream?after=now`, { agent, headers: { Cookie: cookie!, Accept: 'text/event-stream' } }, (res) => {
    let counted = false;
    // Bytes, not strings: decoding 200 MB/s of UTF-8 would make the clients the bottleneck.
    // A marker split across two chunks is simply not counted (the totals show how rare that is).
    res.on('data', (chunk: Buffer) => {
      const now = wall();
      if (!counted && chunk.includes(STATUS)) {
        counted = true;
        if (++ready === count) process.send?.({ type: 'ready' });
      }
      let at = chunk.indexOf(ARG);
      while (at >= 0) {
        const start = at + ARG.length;
        const end = chunk.indexOf(0x5d /* ] */, start);
        if (end < 0) break;
        const b = Math.max(0, Math.round((now - Number(chunk.toString('latin1', start, end))) * 10));
        latencies.set(b, (latencies.get(b) ?? 0) + 1);
        received++;
        at = chunk.indexOf(ARG, end);
      }
    });
  });
  req.on('error', (e) => process.send?.({ type: 'error', message: String(e) }));
  requests.push(req);
}

process.on('message', (m: { type: string }) => {
  if (m.type === 'snapshot') {
    // Hand over what was measured so far and start counting afresh.
    process.send?.({ type: 'snapshot', latencies: [...latencies], received, cpuMs: cpuMs() });
    latencies = new Map();
    received = 0;
  } else if (m.type === 'exit') {
    for (const r of requests) r.destroy();
    process.exit(0);
  }
});
