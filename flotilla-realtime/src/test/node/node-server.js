// A Node.js Socket.IO 4.8 server with @socket.io/redis-adapter, as a Node team runs it, for the tests that
// check a Flotilla instance and a Node instance share rooms on one Redis.
// Usage: node node-server.js PORT REDIS_URL KEY
"use strict";
const http = require("http");
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");

const [port, redisUrl, key] = process.argv.slice(2);

async function main() {
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const server = http.createServer();
  const io = new Server(server, { adapter: createAdapter(pub, sub, { key, requestsTimeout: 2000 }) });
  io.on("connection", (socket) => {
    socket.on("join", (room, ack) => {
      socket.join(room);
      ack("joined");
    });
    socket.on("to-room", (room, payload) => io.to(room).emit("room-message", payload));
    socket.on("to-all", (payload) => io.emit("all", payload));
    socket.on("fetch", async (ack) => {
      const sockets = await io.fetchSockets();
      ack({ ids: sockets.map((s) => s.id) });
    });
    socket.on("hello-servers", (ack) => {
      io.serverSideEmit("hello", (err, answers) => ack({ error: err ? err.message : null, answers }));
    });
  });
  io.on("hello", (ack) => ack("node"));
  server.listen(Number(port), "127.0.0.1", () => process.stdout.write("listening " + port + "\n"));
}

main().catch((err) => {
  process.stderr.write(String(err.stack || err) + "\n");
  process.exit(1);
});
