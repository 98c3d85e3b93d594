// Drives official socket.io-client sockets for the Java tests: one JSON command per line on stdin, one JSON
// report per line on stdout. Binary values cross as {"$bin": BASE64} both ways.
//
// Commands: connect {name, url, nsp?, opts?}, emit {name, event, args, ack?, timeout?, seq},
// listen {name, event, reply?}, disconnect {name}, drop {name} (closes the transport, as a network loss
// would), move {name, url} (drops the socket and reconnects it to another server with the recovery
// credentials the client keeps, pid and offset: what a reconnection through a load balancer that lands on
// another instance sends), exit.
// Reports: open {name, transport} (the connection, before any upgrade), connect {name, id, recovered, transport},
// connect_error {name, message, data},
// disconnect {name, reason}, event {name, event, args}, ack {name, seq, args | error}, upgrade {name, transport}.
"use strict";
const { io } = require("socket.io-client");
const readline = require("readline");

const sockets = new Map();

function report(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

function toWire(value) {
  if (Buffer.isBuffer(value) || value instanceof ArrayBuffer) {
    return { $bin: Buffer.from(value).toString("base64") };
  }
  if (Array.isArray(value)) {
    return value.map(toWire);
  }
  if (value && typeof value === "object") {
    const copy = {};
    for (const [key, item] of Object.entries(value)) {
      copy[key] = toWire(item);
    }
    return copy;
  }
  return value;
}

function fromWire(value) {
  if (Array.isArray(value)) {
    return value.map(fromWire);
  }
  if (value && typeof value === "object") {
    if (typeof value.$bin === "string") {
      return Buffer.from(value.$bin, "base64");
    }
    const copy = {};
    for (const [key, item] of Object.entries(value)) {
      copy[key] = fromWire(item);
    }
    return copy;
  }
  return value;
}

function connect(command) {
  const opts = Object.assign({ forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 500 }, command.opts);
  const socket = io(command.url + (command.nsp || ""), opts);
  const name = command.name;
  sockets.set(name, socket);
  socket.io.on("open", () => {
    report({ type: "open", name, transport: socket.io.engine.transport.name });
    socket.io.engine.once("upgrade", (transport) => report({ type: "upgrade", name, transport: transport.name }));
  });
  socket.on("connect", () => report({ type: "connect", name, id: socket.id, recovered: socket.recovered,
    transport: socket.io.engine.transport.name }));
  socket.on("connect_error", (err) => report({ type: "connect_error", name, message: err.message,
    data: err.data === undefined ? null : err.data }));
  socket.on("disconnect", (reason) => report({ type: "disconnect", name, reason }));
}

function listen(command) {
  if (!listened.has(command.name)) {
    listened.set(command.name, []);
  }
  if (!listened.get(command.name).includes(command)) {
    listened.get(command.name).push(command);
  }
  const socket = sockets.get(command.name);
  socket.on(command.event, (...args) => {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      args.pop();
      if (command.reply !== undefined && command.reply !== null) {
        last(...fromWire(command.reply));
      }
    }
    report({ type: "event", name: command.name, event: command.event, args: toWire(args) });
  });
}

function emit(command) {
  const socket = sockets.get(command.name);
  const args = fromWire(command.args || []);
  if (!command.ack) {
    socket.emit(command.event, ...args);
    return;
  }
  const target = command.timeout ? socket.timeout(command.timeout) : socket;
  target.emitWithAck(command.event, ...args).then(
    (answer) => report({ type: "ack", name: command.name, seq: command.seq, args: toWire([answer]) }),
    (err) => report({ type: "ack", name: command.name, seq: command.seq, error: err.message }));
}

function move(command) {
  const old = sockets.get(command.name);
  const auth = { pid: old._pid, offset: old._lastOffset };
  old.io.reconnection(false);
  old.io.engine.close();
  connect({ name: command.name, url: command.url, opts: Object.assign({}, command.opts, { auth }) });
  for (const event of listened.get(command.name) || []) {
    listen(event);
  }
}

const listened = new Map();

const commands = {
  move,
  connect,
  listen,
  emit,
  disconnect: (command) => sockets.get(command.name).disconnect(),
  drop: (command) => sockets.get(command.name).io.engine.close(),
  reconnect: (command) => sockets.get(command.name).connect(),
  exit: () => process.exit(0),
};

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) {
    return;
  }
  const command = JSON.parse(line);
  try {
    commands[command.cmd](command);
  } catch (err) {
    report({ type: "driver_error", message: String(err && err.stack || err), command });
  }
});
process.stdin.on("end", () => process.exit(0));
report({ type: "ready" });
