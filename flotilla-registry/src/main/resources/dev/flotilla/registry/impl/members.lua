-- Heartbeat one registry and list the live ones. KEYS: members (zset name->expiry ms).
-- ARGV: self, now ms, expiry ms
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
return redis.call('ZRANGE', KEYS[1], 0, -1)
