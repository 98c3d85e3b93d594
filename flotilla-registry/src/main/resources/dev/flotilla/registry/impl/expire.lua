-- Remove an instance whose lease has ended, with an 'expired' event. Racing registries: one wins.
-- KEYS: instances, modrev, leases, revision, events
-- ARGV: id, now ms, max events kept
-- Returns 1 when this call expired it, else 0.
local expiry = redis.call('ZSCORE', KEYS[3], ARGV[1])
if not expiry or tonumber(expiry) > tonumber(ARGV[2]) then
  return 0
end
local json = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if not json then
  return 0
end
local revision = redis.call('INCR', KEYS[4])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[3], '*', 'r', revision, 't', 'expired', 'i', json)
return 1
