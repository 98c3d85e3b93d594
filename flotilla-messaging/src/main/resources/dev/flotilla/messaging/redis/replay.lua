-- Sends up to ARGV[1] dead letters back to the stream, attempts counted from 1 again; returns how many.
-- KEYS[1] the stream, KEYS[2] the dead letters.
local letters = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', tonumber(ARGV[1]))
for _, letter in ipairs(letters) do
  local f = {}
  for i = 1, #letter[2], 2 do
    f[letter[2][i]] = letter[2][i + 1]
  end
  redis.call('XADD', KEYS[1], '*', 'id', f['id'], 'body', f['body'], 'headers', f['headers'], 'attempt', '1')
  redis.call('XDEL', KEYS[2], letter[1])
end
return #letters
