// The anchor of bench/sessions.sh: the same read-modify-write of a session attribute as Flotilla's
// sessions example (GET /me counts views), done the way an Express team does it: express-session with
// connect-redis, under Node's cluster with 2 workers sharing one port. PORT and REDIS_URL from the
// environment.
const cluster = require('node:cluster');

if (cluster.isPrimary) {
  for (let i = 0; i < 2; i++) cluster.fork();
  cluster.on('exit', (worker, code) => console.error(`worker ${worker.process.pid} exited with ${code}`));
} else {
  const express = require('express');
  const session = require('express-session');
  const RedisStore = require('connect-redis').default;
  const { createClient } = require('redis');

  const redis = createClient({ url: process.env.REDIS_URL });
  redis.connect().catch((e) => { console.error(e); process.exit(1); });
  const app = express();
  app.use(express.json());
  app.use(session({
    store: new RedisStore({ client: redis, prefix: 'bench-express:' }),
    secret: 'bench only', resave: false, saveUninitialized: false, name: 'connect.sid',
  }));
  app.post('/login', (req, res) => {
    req.session.regenerate((err) => {
      if (err) return res.status(503).json({ error: String(err) });
      req.session.user = req.body.user;
      res.json({ user: req.body.user, instance: process.pid });
    });
  });
  app.get('/me', (req, res) => {
    req.session.views = (req.session.views || 0) + 1;
    res.json({ user: req.session.user, views: req.session.views, instance: process.pid });
  });
  app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`listening on ${process.env.PORT}`));
}
