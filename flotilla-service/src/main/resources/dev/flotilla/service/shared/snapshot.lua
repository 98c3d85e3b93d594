-- The whole shared map with the revision it reflects and its epoch, in one step.
-- KEYS[1] data hash, KEYS[2] revision counter, KEYS[3] epoch; ARGV[1] the epoch to set if there is none.
redis.call('SET', KEYS[3], ARGV[1], 'NX')
return {redis.call('GET', KEYS[3]), tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('HGETALL', KEYS[1])}
