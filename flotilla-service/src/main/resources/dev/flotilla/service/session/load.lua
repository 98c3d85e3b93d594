-- Reads a session and starts its idle clock again, in one step.
-- KEYS[1] the session's hash; ARGV now_ms, idle_ms, absolute_ms.
-- Returns the hash's fields and values, or nil when the session is unknown or past its absolute limit.
local key = KEYS[1]
local now, idle, absolute = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local all = redis.call('HGETALL', key)
if #all == 0 then
  return nil
end
local created
for i = 1, #all, 2 do
  if all[i] == '@created' then
    created = tonumber(all[i + 1])
  end
end
if not created or now - created >= absolute then
  redis.call('DEL', key)
  return nil
end
redis.call('PEXPIRE', key, math.min(idle, created + absolute - now))
return all
