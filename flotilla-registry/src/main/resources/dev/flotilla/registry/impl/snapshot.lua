-- Everything at one revision, plus the stream position that goes with it.
-- KEYS: instances, modrev, revision, events
-- Returns {revision, last stream id, {id, json, ...}, {id, modrev, ...}}
local last = redis.call('XREVRANGE', KEYS[4], '+', '-', 'COUNT', 1)
local lastId = '0-0'
if #last > 0 then
  lastId = last[1][1]
end
return {tonumber(redis.call('GET', KEYS[3]) or '0'), lastId,
        redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2])}
