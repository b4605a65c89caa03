-- roster_read: the roster of some shift instances, with check-ins.
-- KEYS[1] any key of the site
-- ARGV    prefix, "date|shift"...
-- returns per instance: {shift, lead id, lead, minister, agents,
--         {"name|late 0|1|open interval's start ms or ''|closed spans", ...}, replaced lead,
--         replaced minister, open handover's outgoing lead (not acknowledged yet, else ''),
--         the shift it came from} (spans: see att_key in _2roster)
-- helpers: words, staff_name, roster_key, att_key
local prefix = ARGV[1]
local out = {}
for i = 2, #ARGV do
  local date, shift = string.match(ARGV[i], '^([^|]+)|(.+)$')
  local r = redis.call('HMGET', roster_key(prefix, date, shift), 'lead', 'minister', 'agents', 'replaced',
    'minister_replaced')
  local att = att_key(prefix, date, shift)
  local ho = redis.call('HMGET', prefix .. 'handack:' .. date .. ':' .. shift, 'out', 'pshift', 'acked_by')
  local agents, ins = {}, {}
  local people = {}
  if r[1] then people[#people + 1] = r[1] end
  if r[2] then people[#people + 1] = r[2] end
  for _, id in ipairs(words(r[3])) do
    agents[#agents + 1] = staff_name(prefix, id)
    people[#people + 1] = id
  end
  for _, id in ipairs(people) do
    local a = redis.call('HMGET', att, id .. ':in', id .. ':late', id .. ':out', id .. ':spans')
    if a[1] then
      ins[#ins + 1] = staff_name(prefix, id) .. '|' .. (a[2] or '0') .. '|' .. ((not a[3]) and a[1] or '')
        .. '|' .. (a[4] or '')
    end
  end
  out[#out + 1] = { shift, r[1] or '', r[1] and staff_name(prefix, r[1]) or '',
    r[2] and staff_name(prefix, r[2]) or '', table.concat(agents, ', '), ins,
    r[4] and staff_name(prefix, r[4]) or '', r[5] and staff_name(prefix, r[5]) or '',
    ho[1] and not ho[3] and staff_name(prefix, ho[1]) or '', ho[2] or '' }
end
return out
