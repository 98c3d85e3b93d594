-- Everything at one revision, plus the stream position and the epoch that go with it.
-- KEYS: instances, modrev, revision, events, epoch
-- ARGV: an epoch to adopt if the keyspace has none yet (it is new, or was flushed)
-- Returns {revision, last stream id, {id, json, ...}, {id, modrev, ...}, epoch}
local last = redis.call('XREVRANGE', KEYS[4], '+', '-', 'COUNT', 1)
local lastId = '0-0'
if #last > 0 then
  lastId = last[1][1]
end
redis.call('SET', KEYS[5], ARGV[1], 'NX')
return {tonumber(redis.call('GET', KEYS[3]) or '0'), lastId,
        redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]), redis.call('GET', KEYS[5])}
