-- Extend a lease if the instance exists. KEYS: instances, leases. ARGV: id, expiry ms.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
