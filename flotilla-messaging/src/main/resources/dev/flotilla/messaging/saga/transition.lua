-- One saga's change, all or nothing: a compare-and-set on its revision, the new state, a line of history,
-- its place in the index of recent sagas, and (when there is one) the next command in the outbox.
-- KEYS[1] the saga's hash (state, revision), KEYS[2] its history list, KEYS[3] the index (sorted set),
-- KEYS[4] the outbox stream
-- ARGV[1] the expected revision, ARGV[2] the state (JSON), ARGV[3] the history line (JSON),
-- ARGV[4] now (ms, the index's score), ARGV[5] the saga's id, ARGV[6] seconds to keep an ended saga (0: it
-- has not ended), ARGV[7] how many sagas the index keeps, ARGV[8...] the outbox entry's fields, if any
local revision = redis.call('HGET', KEYS[1], 'revision') or '0'
if revision ~= ARGV[1] then
  return -1
end
local next = tonumber(revision) + 1
redis.call('HSET', KEYS[1], 'revision', next, 'state', ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
local keep = tonumber(ARGV[7])
if redis.call('ZCARD', KEYS[3]) > keep then
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -keep - 1)
end
local ttl = tonumber(ARGV[6])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[2], ttl)
end
if #ARGV > 7 then
  redis.call('XADD', KEYS[4], '*', unpack(ARGV, 8))
end
return next
