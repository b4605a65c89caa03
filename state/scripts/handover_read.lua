-- handover_read: the notes handed over at one or two shifts (!handover), each
-- with who wrote it named as the bot names everyone ("Mia Keller [CCS]").
-- KEYS    handover:<date>:<shift>, one or two
-- ARGV    prefix
-- returns {by, text, ts} per key, in order (false where there are no notes)
-- helpers: staff_name
local out = {}
for i = 1, #KEYS do
  local r = redis.call('HMGET', KEYS[i], 'by', 'text', 'ts')
  if r[1] then r[1] = staff_name(ARGV[1], r[1]) end
  out[#out + 1] = r[1] or false
  out[#out + 1] = r[2] or false
  out[#out + 1] = r[3] or false
end
return out
