-- Deletes the dead letters; returns how many there were. KEYS[1] the dead letters.
local n = redis.call('XLEN', KEYS[1])
redis.call('DEL', KEYS[1])
return n
