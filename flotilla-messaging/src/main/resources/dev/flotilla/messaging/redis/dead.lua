-- A delivery given up on becomes a dead letter, and is acknowledged and removed, in one step.
-- KEYS[1] the stream, KEYS[2] the dead letters; ARGV[1] group, ARGV[2] entry id, then field/value pairs.
local fields = {}
for i = 3, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
