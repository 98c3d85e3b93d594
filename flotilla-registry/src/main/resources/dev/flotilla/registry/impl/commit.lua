-- Compare-and-set one instance and append its event, atomically.
-- KEYS: instances (hash id->json), modrev (hash id->revision), leases (zset id->expiry ms),
--       revision (counter), events (stream)
-- ARGV: id, expected modRevision (0: must not exist), new json ('' removes), event type,
--       lease expiry ms (0: keep the lease), max events kept
-- Returns {1, new revision} or {0, current revision} when the instance changed meanwhile.
local current = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if current ~= tonumber(ARGV[2]) or (ARGV[3] == '' and current == 0) then
  return {0, tonumber(redis.call('GET', KEYS[4]) or '0')}
end
local revision = redis.call('INCR', KEYS[4])
local json = ARGV[3]
if json == '' then
  json = redis.call('HGET', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], json)
  redis.call('HSET', KEYS[2], ARGV[1], revision)
  if tonumber(ARGV[5]) > 0 then
    redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
  end
end
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[6], '*', 'r', revision, 't', ARGV[4], 'i', json)
return {1, revision}
