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
// startLine({ target, down, up, latency, chunk }) → { port, opened, idle(), lateness(), close() }:
// `target` is the port of the server on 127.0.0.1, `down`/`up` are bytes per second, `latency`
// is ms each way; `opened` counts the connections made so far.
import { connect, createServer } from "node:net";

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

export async function startLine({ target, down, up, latency, chunk = 1460 }) {
  const downLine = new Line(down, latency, chunk);
  const upLine = new Line(up, latency, chunk);
  const sockets = new Set();
  const proxy = { opened: 0 };
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    proxy.opened++;
    // The handshake: the client's first byte leaves one round trip after it connected.
    const open = performance.now() + 2 * latency;
    const server = connect({ host: "127.0.0.1", port: target, allowHalfOpen: true, noDelay: true });
    sockets.add(client).add(server);
    const upward = flow(upLine, client, server);
    const downward = flow(downLine, server, client);
    client.on("data", (data) => upward.send(data, Math.max(performance.now(), open)));
    server.on("data", (data) => downward.send(data, performance.now()));
    client.on("end", () => upward.finish());
    server.on("end", () => downward.finish());
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      upward.close();
      downward.close();
      client.destroy();
      server.destroy();
      sockets.delete(client);
      sockets.delete(server);
    };
    // The browser gone: nothing left to deliver. The server gone: what it sent still arrives.
    client.on("close", close);
    client.on("error", close);
    server.on("error", close);
    server.on("close", () => {
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
