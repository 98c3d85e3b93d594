-- One change to a shared map: the compare-and-set decision, the new gap-free revision and the pub/sub
-- message, in one step. Messages leave in revision order because scripts run one at a time.
-- KEYS[1] data hash (key -> "<version>:<json>"), KEYS[2] revision counter, KEYS[3] epoch
-- ARGV channel, key, json ('' deletes), expected version (-1 any, 0 absent), max keys, epoch if unset
-- Returns {'ok', version, epoch}, {'conflict', current version} or {'full', keys}.
local data, rev_key, epoch_key = KEYS[1], KEYS[2], KEYS[3]
local channel, key, json = ARGV[1], ARGV[2], ARGV[3]
local expected, max_keys = tonumber(ARGV[4]), tonumber(ARGV[5])
local old = redis.call('HGET', data, key)
local current = 0
if old then
  current = tonumber(string.match(old, '^(%d+):'))
end
if expected >= 0 and expected ~= current then
  return {'conflict', current}
end
if json ~= '' and not old and redis.call('HLEN', data) >= max_keys then
  return {'full', max_keys}
end
redis.call('SET', epoch_key, ARGV[6], 'NX')
local epoch = redis.call('GET', epoch_key)
local version = redis.call('INCR', rev_key)
if json == '' then
  redis.call('HDEL', data, key)
else
  redis.call('HSET', data, key, version .. ':' .. json)
end
-- The message: "<epoch> <version> <key length> <key><json>", so neither key nor value needs escaping.
redis.call('PUBLISH', channel, epoch .. ' ' .. version .. ' ' .. #key .. ' ' .. key .. json)
return {'ok', version, epoch}
