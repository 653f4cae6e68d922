// A line that every connection shares: a TCP proxy in front of a local server for
// scripts/bench-shared-line.mjs. Node only, no dependencies.
//
// Each direction is one line with its own bandwidth (down: server to browser; up: browser to
// server). Whatever a connection sends is cut into chunks of CHUNK bytes (about one TCP segment)
// and queued on its line; the line sends one chunk at a time, round-robin across the connections
// that have a chunk waiting, each taking its size ÷ the bandwidth, and each chunk arrives
// LATENCY ms after it was sent. So two downloads at once each get half the line, and a request
// waits behind the chunks already queued. A new connection pays one round trip before its first
// byte leaves (the handshake: SYN up, SYN-ACK down); its request then takes LATENCY ms up and the
// answer LATENCY ms down, as on a real line. Times are kept on a virtual clock (when the line
// falls free, when a chunk arrives), so a timer that fires late on a busy machine delays a chunk
// but never loses the line's capacity. Not modelled: TCP's slow start and losses, DNS, TLS.
//
// The proxy runs in a thread of its own, at a raised priority when the system allows it (root
// here), so that the browser and the pages, which the machine's load slows, slow the line as
// little as they can: it stands for the network. (With the kernel's autogroups, as here, the
// priority counts only against this benchmark's own threads, not other sessions' work.) It says
// how late its chunks were all the same (lateness()).
//
// startLine({ target, down, up, latency, chunk }) resolves to { port, priority, opened(),
// idle(), lateness(), close() }: `target` is the port of the server on 127.0.0.1, `down`/`up`
// are bytes per second, `latency` is ms each way; `priority` is the proxy thread's nice value;
// opened() resolves to how many connections were made so far, idle() once nothing is queued or
// in flight, lateness() to [median, 95th percentile, max] of how many ms after they were due
// the chunks were handed over since the last call.
import { connect, createServer } from "node:net";
import { getPriority, setPriority } from "node:os";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const RAISED_PRIORITY = -10;

// Past this many bytes queued on a connection, its source is paused until half has gone.
const HIGH_WATER = 256 * 1024;

class Line {
  constructor(bytesPerSecond, latency, chunk) {
    this.perMs = bytesPerSecond / 1000;
    this.latency = latency;
    this.chunk = chunk;
    this.waiting = []; // flows with a chunk queued, in round-robin order
    this.turn = 0; // index in `waiting` of the flow whose turn is next
    this.freeAt = 0; // when the line has sent what it took (virtual ms, performance.now's clock)
    this.sending = null;
    this.inFlight = []; // chunks sent, not yet arrived, in order of arrival
    this.delivering = null;
    this.late = []; // how late each chunk was handed over (ms after it was due), for the report
  }

  /** Queues `data` on `flow`, to leave no sooner than `at`. */
  send(flow, data, at) {
    for (let i = 0; i < data.length; i += this.chunk) flow.queue.push({ data: data.subarray(i, i + this.chunk), at });
    flow.pending += data.length;
    if (!this.waiting.includes(flow)) this.waiting.push(flow);
    this.pump();
  }

  pump() {
    clearTimeout(this.sending);
    this.sending = null;
    while (this.waiting.length > 0) {
      const departure = Math.max(this.freeAt, Math.min(...this.waiting.map((f) => f.queue[0].at)));
      const now = performance.now();
      if (departure > now + 0.2) {
        this.sending = setTimeout(() => this.pump(), departure - now);
        return;
      }
      // Whose turn: the next flow in order whose chunk was waiting when the line fell free.
      let index = this.turn % this.waiting.length;
      while (this.waiting[index].queue[0].at > departure) index = (index + 1) % this.waiting.length;
      const flow = this.waiting[index];
      const { data } = flow.queue.shift();
      this.freeAt = departure + data.length / this.perMs;
      this.inFlight.push({ flow, data, arrival: this.freeAt + this.latency });
      if (flow.queue.length === 0) {
        this.waiting.splice(index, 1);
        this.turn = index;
      } else {
        this.turn = index + 1;
      }
      this.deliver();
    }
  }

  deliver() {
    if (this.delivering || this.inFlight.length === 0) return;
    this.delivering = setTimeout(() => {
      this.delivering = null;
      const now = performance.now();
      while (this.inFlight.length > 0 && this.inFlight[0].arrival <= now + 0.2) {
        const { flow, data, arrival } = this.inFlight.shift();
        this.late.push(Math.max(0, now - arrival));
        flow.arrived(data);
      }
      this.deliver();
    }, Math.max(0, this.inFlight[0].arrival - performance.now()));
  }

  drop(flow) {
    flow.queue.length = 0;
    const at = this.waiting.indexOf(flow);
    if (at >= 0) {
      this.waiting.splice(at, 1);
      if (this.turn > at) this.turn--;
    }
  }

  get idle() {
    return this.waiting.length === 0 && this.inFlight.length === 0;
  }
}

/// One direction of one connection: from `source` over `line` to `sink`.
function flow(line, source, sink) {
  const f = {
    queue: [],
    pending: 0,
    ending: false,
    closed: false,
    arrived(data) {
      if (f.closed) return;
      f.pending -= data.length;
      sink.write(data);
      if (f.pending < HIGH_WATER / 2 && source.isPaused()) source.resume();
      if (f.ending && f.pending === 0) sink.end();
    },
    send(data, at) {
      if (f.closed) return;
      line.send(f, data, at);
      if (f.pending > HIGH_WATER) source.pause();
    },
    /** The source has ended: end the sink once everything queued has arrived. */
    finish() {
      f.ending = true;
      if (f.pending === 0 && !f.closed) sink.end();
    },
    close() {
      f.closed = true;
      line.drop(f);
    },
  };
  return f;
}

export async function startLine(options) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { line: options } });
  const waiting = new Map();
  let next = 0;
  let failed = null;
  worker.on("message", ({ id, result }) => {
    waiting.get(id)?.resolve(result);
    waiting.delete(id);
  });
  worker.on("error", (error) => {
    failed = error;
    for (const { reject } of waiting.values()) reject(error);
  });
  const call = (method) => new Promise((resolve, reject) => {
    if (failed) return reject(failed);
    waiting.set(++next, { resolve, reject });
    worker.postMessage({ id: next, method });
  });
  const { port, priority } = await call("start");
  return {
    port,
    priority,
    opened: () => call("opened"),
    idle: () => call("idle"),
    lateness: () => call("lateness"),
    close: () => worker.terminate(),
  };
}

if (!isMainThread && workerData?.line) {
  let priority = 0;
  try {
    setPriority(0, RAISED_PRIORITY); // on Linux: this thread only
  } catch {
    // Not allowed: the line runs at the usual priority.
  }
  try {
    priority = getPriority(0);
  } catch {}
  const proxy = await serveLine(workerData.line);
  parentPort.on("message", async ({ id, method }) => {
    const result = {
      start: () => ({ port: proxy.port, priority }),
      opened: () => proxy.opened,
      idle: () => proxy.idle(),
      lateness: () => proxy.lateness(),
    }[method]();
    parentPort.postMessage({ id, result: await result });
  });
}

async function serveLine({ target, down, up, latency, chunk = 1460 }) {
  const downLine = new Line(down, latency, chunk);
  const upLine = new Line(up, latency, chunk);
  const sockets = new Set();
  const proxy = { opened: 0 };
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    proxy.opened++;
    // The handshake: the client's first byte leaves one round trip after it connected.
    const open = performance.now() + 2 * latency;
    const upstream = connect({ host: "127.0.0.1", port: target, allowHalfOpen: true, noDelay: true });
    sockets.add(client).add(upstream);
    const upward = flow(upLine, client, upstream);
    const downward = flow(downLine, upstream, client);
    client.on("data", (data) => upward.send(data, Math.max(performance.now(), open)));
    upstream.on("data", (data) => downward.send(data, performance.now()));
    client.on("end", () => upward.finish());
    upstream.on("end", () => downward.finish());
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      upward.close();
      downward.close();
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    // The browser gone: nothing left to deliver. The server gone: what it sent still arrives.
    client.on("close", close);
    client.on("error", close);
    upstream.on("error", close);
    upstream.on("close", () => {
      upward.close();
      if (downward.pending === 0) close();
      else downward.finish();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.port = server.address().port;
  /** Resolves once neither line has anything queued or in flight. */
  proxy.idle = async () => {
    while (!downLine.idle || !upLine.idle) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  /** How late chunks were handed over since the last call, in ms after they were due:
   *  [median, 95th percentile, max]. */
  proxy.lateness = () => {
    const late = [...downLine.late, ...upLine.late].sort((a, b) => a - b);
    downLine.late = [];
    upLine.late = [];
    return [0.5, 0.95, 1].map((q) => late[Math.min(late.length - 1, Math.floor(q * late.length))] ?? 0);
  };
  proxy.close = () => {
    for (const socket of sockets) socket.destroy();
    server.close();
  };
  return proxy;
}
