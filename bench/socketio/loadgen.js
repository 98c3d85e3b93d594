// Load generator of bench/realtime.sh, with the official socket.io-client.
//   node loadgen.js ramp URLS CLIENTS STEP_SECONDS RATES PIDS LABEL
//     CLIENTS sockets split across URLS (comma-separated) join the room "bench"; one more socket sends
//     {seq, t} at each rate of RATES (comma-separated, messages/s) for STEP_SECONDS; every delivery's latency
//     is measured here (one clock). One JSON line per step: deliveries, lost, reordered, p50/p99 (ms), and the
//     CPU the server processes (PIDS, comma-separated) used per delivery. Stops after the first step whose p99
//     passes 100 ms or that loses or reorders a message.
//   node loadgen.js kill URLS CLIENTS RATE SECONDS
//     The same at one rate; prints "sending" when it starts, then what each client missed and the longest
//     pause between two deliveries (the stall while Redis was away).
//   node loadgen.js idle URL COUNT
//     Opens COUNT idle WebSocket connections (Engine.IO v4 + Socket.IO connect, pings answered), prints
//     "connected COUNT", and keeps them until killed.
"use strict";
const { io } = require("socket.io-client");
const fs = require("fs");
const { performance } = require("perf_hooks");

const LIMIT_MS = 100;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function cpuTicks(pids) {
  let total = 0;
  for (const pid of pids) {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    total += Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s)
  }
  return total;
}

async function connectAll(urls, count, onMessage) {
  const sockets = [];
  for (let i = 0; i < count; i++) {
    const socket = io(urls[i % urls.length], { transports: ["websocket"], forceNew: true, reconnection: true });
    const index = i;
    socket.on("bench", (message) => onMessage(index, message));
    sockets.push(socket);
  }
  await Promise.all(sockets.map((socket) => new Promise((resolve) => socket.on("connect", resolve))));
  await Promise.all(sockets.map((socket) => socket.timeout(10000).emitWithAck("join", "bench")));
  return sockets;
}

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function sendAt(sender, rate, seconds, first) {
  let seq = first;
  const started = performance.now();
  const padding = "x".repeat(64);
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (seq - first < due) {
      sender.emit("bench", { seq, t: performance.now(), padding });
      seq++;
    }
    await sleep(2);
  }
  return seq;
}

async function ramp(urls, count, stepSeconds, rates, pids, label) {
  let step = null;
  const last = new Array(count).fill(-1);
  const onMessage = (client, message) => {
    if (!step || message.seq < step.first) {
      return;
    }
    step.latencies.push(performance.now() - message.t);
    step.received++;
    if (message.seq < last[client]) {
      step.reordered++;
    }
    last[client] = message.seq;
  };
  const clients = await connectAll(urls, count, onMessage);
  const sender = io(urls[0], { transports: ["websocket"], forceNew: true });
  await new Promise((resolve) => sender.on("connect", resolve));
  let seq = 0;
  for (const rate of rates) {
    step = { first: seq, latencies: [], received: 0, reordered: 0 };
    const cpu0 = cpuTicks(pids);
    const own0 = process.cpuUsage();
    seq = await sendAt(sender, rate, stepSeconds, seq);
    const sent = seq - step.first;
    const expected = sent * count;
    const drainUntil = performance.now() + 3000;
    while (step.received < expected && performance.now() < drainUntil) {
      await sleep(20);
    }
    const cpuMs = (cpuTicks(pids) - cpu0) * 10;
    const own = process.cpuUsage(own0);
    const sorted = Float64Array.from(step.latencies).sort();
    const result = {
      label, rate, sent, deliveries: step.received, lost: expected - step.received, reordered: step.reordered,
      p50_ms: +percentile(sorted, 0.5).toFixed(2), p99_ms: +percentile(sorted, 0.99).toFixed(2),
      server_cpu_us_per_delivery: +((cpuMs * 1000) / Math.max(1, step.received)).toFixed(2),
      loadgen_cpu_s: +((own.user + own.system) / 1e6).toFixed(1),
    };
    console.log(JSON.stringify(result));
    step = null;
    if (result.p99_ms > LIMIT_MS || result.lost > 0 || result.reordered > 0) {
      break;
    }
  }
  clients.forEach((socket) => socket.close());
  sender.close();
}

async function kill(urls, count, rate, seconds) {
  const received = Array.from({ length: count }, () => new Set());
  const lastAt = new Array(count).fill(0);
  const longestGap = new Array(count).fill(0);
  const onMessage = (client, message) => {
    const now = performance.now();
    if (lastAt[client] > 0) {
      longestGap[client] = Math.max(longestGap[client], now - lastAt[client]);
    }
    lastAt[client] = now;
    received[client].add(message.seq);
  };
  const clients = await connectAll(urls, count, onMessage);
  const sender = io(urls[0], { transports: ["websocket"], forceNew: true });
  await new Promise((resolve) => sender.on("connect", resolve));
  console.log("sending");
  const sent = await sendAt(sender, rate, seconds, 0);
  await sleep(3000);
  const missed = received.map((seen) => sent - seen.size);
  console.log(JSON.stringify({ sent, clients: count, missed_total: missed.reduce((a, b) => a + b, 0),
    missed_max_per_client: Math.max(...missed), longest_stall_ms: Math.round(Math.max(...longestGap)) }));
  clients.forEach((socket) => socket.close());
  sender.close();
}

async function idle(url, count) {
  const WebSocket = require("ws");
  const target = url.replace(/^http/, "ws") + "/socket.io/?EIO=4&transport=websocket";
  let connected = 0;
  const open = () => new Promise((resolve, reject) => {
    const ws = new WebSocket(target, { perMessageDeflate: false });
    ws.on("message", (data) => {
      const text = data.toString();
      if (text.startsWith("0")) {
        ws.send("40");
      } else if (text.startsWith("40")) {
        connected++;
        resolve();
      } else if (text === "2") {
        ws.send("3");
      }
    });
    ws.on("error", reject);
  });
  for (let i = 0; i < count; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, count - i) }, open));
  }
  console.log("connected " + connected);
  setInterval(() => {}, 1 << 30);
}

const [mode, ...args] = process.argv.slice(2);
const run = {
  ramp: () => ramp(args[0].split(","), Number(args[1]), Number(args[2]), args[3].split(",").map(Number),
    args[4].split(",").map(Number), args[5]),
  kill: () => kill(args[0].split(","), Number(args[1]), Number(args[2]), Number(args[3])),
  idle: () => idle(args[0], Number(args[1])),
}[mode];
run().then(() => { if (mode !== "idle") process.exit(0); }, (err) => { console.error(err); process.exit(1); });
