-- emergencies_read: open emergencies (or also the last 20 closed).
-- KEYS[1] any key of the site
-- ARGV    prefix, 'open'|'all'
-- returns {id, state, text, by name, created, acked by name, acked at,
--          resolved by name, resolved at, last paged (names), paged at, ...}
-- helpers: staff_name
local prefix, which = ARGV[1], ARGV[2]
local ids = redis.call('ZRANGE', prefix .. 'emergencies:open', 0, -1)
if which == 'all' then
  for _, id in ipairs(redis.call('ZREVRANGE', prefix .. 'emergencies:closed', 0, 19)) do ids[#ids + 1] = id end
end
local out = {}
for _, id in ipairs(ids) do
  local e = redis.call('HMGET', prefix .. 'emergency:' .. id, 'state', 'text', 'by', 'created', 'acked_by',
    'acked_at', 'resolved_by', 'resolved_at', 'paged', 'paged_at')
  if e[1] then
    out[#out + 1] = id
    out[#out + 1] = e[1]
    out[#out + 1] = e[2]
    out[#out + 1] = staff_name(prefix, e[3])
    out[#out + 1] = e[4]
    out[#out + 1] = e[5] and staff_name(prefix, e[5]) or ''
    out[#out + 1] = e[6] or ''
    out[#out + 1] = e[7] and staff_name(prefix, e[7]) or ''
    out[#out + 1] = e[8] or ''
    out[#out + 1] = e[9] or ''
    out[#out + 1] = e[10] or ''
  end
end
return out
