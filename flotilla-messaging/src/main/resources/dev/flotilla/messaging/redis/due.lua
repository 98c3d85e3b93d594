-- Moves the delayed messages that are due back into the stream, oldest first, at most ARGV[2] of them.
-- KEYS[1] the stream, KEYS[2] the delayed set; ARGV[1] now (ms), ARGV[2] the most to move.
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, message in ipairs(due) do
  local m = cjson.decode(message)
  redis.call('XADD', KEYS[1], '*', 'id', m.id, 'body', m.body, 'headers', m.headers, 'attempt', m.attempt)
  redis.call('ZREM', KEYS[2], message)
end
return #due
