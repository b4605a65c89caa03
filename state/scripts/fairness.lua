-- fairness: !fairness [month]: per person, the hours on the roster, the
-- shifts, night shifts and weekend shifts they hold in the month, and the
-- swaps of the month's shifts they were part of (swaps:<month>, counted by
-- APPLY.swap).  Everyone who may hold a shift's usual slots (agents, vice
-- ministers) is listed, with nothing on the roster too; others when they
-- hold a slot that month.
-- KEYS[1] any key of the site
-- ARGV    prefix, month "YYYY-MM", then the month's shift instances
--         "date|shift|length ms|night 0|1|weekend 0|1"
-- returns {id, name, ms, shifts, nights, weekends, swaps, ...} by name
-- helpers: words, staff_name, roster_key
local prefix, month = ARGV[1], ARGV[2]
local rows, order = {}, {}
local function row(id)
  if not rows[id] then
    rows[id] = { id = id, name = staff_name(prefix, id), ms = 0, shifts = 0, nights = 0, weekends = 0, swaps = 0 }
    order[#order + 1] = id
  end
  return rows[id]
end
for _, id in ipairs(redis.call('SMEMBERS', prefix .. 'staff')) do
  local role = redis.call('HGET', prefix .. 'staff:' .. id, 'role')
  if role == 'agent' or role == 'vice_minister' then row(id) end
end
for i = 3, #ARGV do
  local date, shift, ms, night, weekend = string.match(ARGV[i], '^([^|]+)|([^|]+)|(%d+)|(%d)|(%d)$')
  if date then
    local r = redis.call('HMGET', roster_key(prefix, date, shift), 'lead', 'minister', 'agents')
    local ids = words(r[3])
    if r[1] then ids[#ids + 1] = r[1] end
    if r[2] and r[2] ~= r[1] then ids[#ids + 1] = r[2] end
    for _, id in ipairs(ids) do
      -- a person who left the staff is not judged any more
      if redis.call('EXISTS', prefix .. 'staff:' .. id) == 1 then
        local p = row(id)
        p.ms = p.ms + tonumber(ms)
        p.shifts = p.shifts + 1
        p.nights = p.nights + tonumber(night)
        p.weekends = p.weekends + tonumber(weekend)
      end
    end
  end
end
local swaps = redis.call('HGETALL', prefix .. 'swaps:' .. month)
for i = 1, #swaps, 2 do
  if rows[swaps[i]] or redis.call('EXISTS', prefix .. 'staff:' .. swaps[i]) == 1 then
    row(swaps[i]).swaps = tonumber(swaps[i + 1])
  end
end
table.sort(order, function(a, b) return rows[a].name < rows[b].name end)
local out = {}
for _, id in ipairs(order) do
  local p = rows[id]
  for _, v in ipairs({ id, p.name, p.ms, p.shifts, p.nights, p.weekends, p.swaps }) do out[#out + 1] = tostring(v) end
end
return out
