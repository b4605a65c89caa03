-- attendance_read: one week's hours of everyone on shifts (agents and vice
-- ministers, and anyone with hours or late-rule warnings), late check-ins, late-rule warnings and
-- excuses.  KEYS[1] any key of the site
-- ARGV    prefix, week, week start ms, week end ms, person ('' = everyone), now,
--         the shift instances open for check-in now ("date|shift|week" list),
--         the week's shift instances not ended yet ("date|shift|start|end" list;
--         '' for a week that is over)
-- returns {id, name, hours ms, late check-ins, warnings, excused 0|1, automatic check-outs,
--          role, ms still rostered this week, ...}
-- Hours are the closed check-in intervals (everyone still checked in at a
-- shift's end is checked out then, marked automatic) and, for someone
-- checked in now to a shift of this week, the open interval up to now.
-- helpers: words, staff_name, att_key, rostered_left
local prefix, week, from, to, who = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local now = tonumber(ARGV[6])
local open = {}
for _, inst in ipairs(words(ARGV[7])) do
  local date, shift, w = string.match(inst, '^([^|]+)|([^|]+)|([^|]+)$')
  if w == week then
    local att = redis.call('HGETALL', att_key(prefix, date, shift))
    local t = {}
    for i = 1, #att, 2 do t[att[i]] = att[i + 1] end
    for k, v in pairs(t) do
      local id = string.match(k, '^(.+):in$')
      if id and not t[id .. ':out'] and now > tonumber(v) then open[id] = (open[id] or 0) + now - tonumber(v) end
    end
  end
end
local ids = redis.call('SMEMBERS', prefix .. 'staff')
table.sort(ids)
local out = {}
for _, id in ipairs(ids) do
  local role = redis.call('HGET', prefix .. 'staff:' .. id, 'role')
  local ms = redis.call('HGET', prefix .. 'hours:' .. week, id)
  if open[id] then ms = string.format('%d', tonumber(ms or '0') + open[id]) end
  local warnings = redis.call('ZCOUNT', prefix .. 'lates:' .. id, from, to)
  if (who == '' and (role == 'agent' or role == 'vice_minister' or ms or warnings > 0)) or who == id then
    out[#out + 1] = id
    out[#out + 1] = staff_name(prefix, id)
    out[#out + 1] = ms or '0'
    out[#out + 1] = redis.call('HGET', prefix .. 'latecount:' .. week, id) or '0'
    out[#out + 1] = tostring(warnings)
    out[#out + 1] = redis.call('HEXISTS', prefix .. 'excused:' .. week, id)
    out[#out + 1] = redis.call('HGET', prefix .. 'autocount:' .. week, id) or '0'
    out[#out + 1] = role or ''
    out[#out + 1] = string.format('%d', rostered_left(prefix, id, ARGV[8], now))
  end
end
return out
