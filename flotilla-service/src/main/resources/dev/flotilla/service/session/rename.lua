-- Moves a session to a new id (its expiry goes with it); the old id stops existing in the same step.
-- KEYS[1] the old id's hash, KEYS[2] the new id's. Returns 'ok', or 'gone' when the old one has ended.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'gone'
end
redis.call('RENAME', KEYS[1], KEYS[2])
return 'ok'
