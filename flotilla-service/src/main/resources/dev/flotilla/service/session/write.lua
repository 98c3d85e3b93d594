-- Changes some attributes of one session, all or none: the compare-and-set of the session store.
-- Only the named attributes are touched, so concurrent requests that change different attributes keep
-- both changes. A session that no longer exists is never brought back unless the caller creates it.
-- KEYS[1] the session's hash
-- ARGV create (1 = a new session may be created), now_ms, idle_ms, absolute_ms, max_attributes, max_bytes,
--      then triples: op (s = set, d = delete, i = increment by an integer), name, value
-- Meta fields start with @: @created (ms) and @size (bytes of names and values).
-- Returns {'ok', new values of the increments...}, {'gone'}, {'full', what, would_be, limit}
-- or {'type', name} when an increment meets a value that is not an integer.
local key = KEYS[1]
local create = ARGV[1] == '1'
local now, idle, absolute = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local max_attributes, max_bytes = tonumber(ARGV[5]), tonumber(ARGV[6])
local exists = redis.call('EXISTS', key) == 1
if not exists and not create then
  return {'gone'}
end
local created = now
local size = 0
local count = 0
if exists then
  created = tonumber(redis.call('HGET', key, '@created'))
  if now - created >= absolute then
    redis.call('DEL', key)
    return {'gone'}
  end
  size = tonumber(redis.call('HGET', key, '@size'))
  count = redis.call('HLEN', key) - 2
end
-- First the decision, from what is stored now; then the writes, only if every check passed.
local writes = {}
local results = {'ok'}
for i = 7, #ARGV, 3 do
  local op, name, value = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local old = redis.call('HGET', key, name)
  if old then
    size = size - #name - #old
    count = count - 1
  end
  if op == 'i' then
    local base = 0
    if old then
      if not string.match(old, '^-?%d+$') then
        return {'type', name}
      end
      base = tonumber(old)
    end
    value = string.format('%d', base + tonumber(value))
    results[#results + 1] = value
  end
  if op ~= 'd' then
    size = size + #name + #value
    count = count + 1
  end
  writes[#writes + 1] = {op, name, value}
end
if count > max_attributes then
  return {'full', 'attributes', count, max_attributes}
end
if size > max_bytes then
  return {'full', 'bytes', size, max_bytes}
end
for _, w in ipairs(writes) do
  if w[1] == 'd' then
    redis.call('HDEL', key, w[2])
  else
    redis.call('HSET', key, w[2], w[3])
  end
end
redis.call('HSET', key, '@created', created, '@size', size)
redis.call('PEXPIRE', key, math.min(idle, created + absolute - now))
return results
