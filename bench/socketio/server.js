// The anchor of bench/realtime.sh: what bench/src/.../RealtimeBenchService.java does, in Socket.IO 4.8 with
// @socket.io/redis-adapter. Usage: node server.js PORT REDIS_URL KEY
"use strict";
const http = require("http");
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");

const [port, redisUrl, key] = process.argv.slice(2);

async function main() {
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  pub.on("error", () => {});
  sub.on("error", () => {});
  await Promise.all([pub.connect(), sub.connect()]);
  const server = http.createServer();
  const io = new Server(server, { adapter: createAdapter(pub, sub, { key }) });
  io.on("connection", (socket) => {
    socket.on("join", (room, ack) => {
      socket.join(room);
      ack("joined");
    });
    socket.on("bench", (payload) => io.to("bench").emit("bench", payload));
  });
  server.listen(Number(port), "127.0.0.1", () => console.log("listening " + port));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
