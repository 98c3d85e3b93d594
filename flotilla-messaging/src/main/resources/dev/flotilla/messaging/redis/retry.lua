-- A failed delivery waits in the queue's delayed set, then the delivery is acknowledged and removed,
-- in one step: the message is never in neither place, nor in both.
-- KEYS[1] the stream, KEYS[2] the delayed set; ARGV[1] group, ARGV[2] entry id, ARGV[3] due (ms), ARGV[4] the
-- message as JSON.
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
