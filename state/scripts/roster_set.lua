-- roster_set: !roster lead|minister|add|remove over one or more dates.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, op, shift, dates (space list),
--         due times (space list: remind, late per date), then the person ids
-- Setting anyone on a shift arms its reminder; a lead or a minister on duty
-- also its late check (late_fire.lua).
-- returns {'ok', changes, what 'lead'|'minister'|'agents'|'added'|'removed', names} | {'no_such_person', id} | {'may_not_hold', id, slot}
--         | {'on_leave', id, date} | {'already', id, date, slot} | {'not_there', id}
-- Whoever's slot changed is told (roster_changed), but not the one typing.
-- helpers: audit, say_inner, words, staff_name, timer_set, roster_key, slot_of, put_in,
--   take_out, may_hold, on_leave, roster_changed
local prefix, now, actor, src, op, shift = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local dates, dues, persons = words(ARGV[7]), {}, {}
local ndates = #dates
local d = words(ARGV[8])
for i = 1, ndates do dues[i] = { d[2 * i - 1], d[2 * i] } end
for i = 9, #ARGV do persons[#persons + 1] = ARGV[i] end
local slot = (op == 'add' or op == 'remove') and 'agent' or op

for _, id in ipairs(persons) do
  if redis.call('EXISTS', prefix .. 'staff:' .. id) == 0 then return { 'no_such_person', id } end
  if op ~= 'remove' then
    if not may_hold(prefix, id, slot) then return { 'may_not_hold', id, slot } end
    for _, date in ipairs(dates) do
      if on_leave(prefix, id, date) then return { 'on_leave', id, date } end
      local has_slot = slot_of(prefix, date, shift, id)
      if has_slot and has_slot ~= slot then return { 'already', id, date, has_slot } end
    end
  end
end

local changes, removed = 0, {}
-- per person, kind and slot: the dates it changed on, for roster_changed
local told, order = {}, {}
local function note(id, kind, s, date)
  local k = id .. '|' .. kind .. '|' .. s
  if not told[k] then
    told[k] = { id = id, kind = kind, slot = s, dates = {} }
    order[#order + 1] = k
  end
  table.insert(told[k].dates, date)
end
for i, date in ipairs(dates) do
  for _, id in ipairs(persons) do
    if op == 'remove' then
      local s = slot_of(prefix, date, shift, id)
      if s then
        take_out(prefix, date, shift, s, id)
        changes = changes + 1
        removed[id] = true
        note(id, 'off', s, date)
      end
    elseif slot_of(prefix, date, shift, id) ~= slot then
      if slot ~= 'agent' then
        local before = redis.call('HGET', roster_key(prefix, date, shift), slot)
        if before and before ~= id then note(before, 'off', slot, date) end
      end
      put_in(prefix, date, shift, slot, id)
      changes = changes + 1
      note(id, 'on', slot, date)
    end
  end
  if op ~= 'remove' then
    -- everyone rostered is reminded; the lead and the minister on duty are under the late rule
    if op == 'lead' or op == 'minister' then
      redis.call('HDEL', roster_key(prefix, date, shift), op == 'lead' and 'replaced' or 'minister_replaced')
      if tonumber(dues[i][2]) > tonumber(now) then
        timer_set(prefix, 'late|' .. date .. '|' .. shift, dues[i][2])
      end
    end
    if tonumber(dues[i][1]) > tonumber(now) then
      timer_set(prefix, 'remind|' .. date .. '|' .. shift, dues[i][1])
    end
  end
end
if op == 'remove' and changes == 0 then return { 'not_there', persons[1] } end
if changes > 0 then
  local why = say_inner('MSG_CHANGE_WHY_ROSTER', { 'by', staff_name(prefix, actor) })
  for _, k in ipairs(order) do
    local t = told[k]
    -- the dates of a range are one range; a few of them are listed
    local said = #t.dates == 1 and t.dates[1] or (#t.dates == ndates and (t.dates[1] .. '..' .. t.dates[#t.dates]))
      or table.concat(t.dates, ', ')
    roster_changed(prefix, now, t.id, { { t.kind, said, shift, t.slot } }, why, t.id == actor)
  end
  audit(prefix, now, actor, 'roster.' .. op, table.concat(persons, ' '),
    shift .. ' ' .. dates[1] .. (ndates > 1 and ('..' .. dates[ndates]) or ''), src)
end
-- what the slot is now, so that the one typing can check it: the lead or the
-- minister on duty; the agents (when every date has the same ones, else who
-- was added); who was taken off
local names = {}
local function named(ids)
  local out = {}
  for _, id in ipairs(ids) do out[#out + 1] = staff_name(prefix, id) end
  return table.concat(out, ', ')
end
if op == 'remove' then
  for _, id in ipairs(persons) do
    if removed[id] then names[#names + 1] = id; removed[id] = nil end
  end
  return { 'ok', changes, 'removed', named(names) }
elseif op == 'lead' or op == 'minister' then
  local id = redis.call('HGET', roster_key(prefix, dates[1], shift), op)
  return { 'ok', changes, op, id and staff_name(prefix, id) or '' }
end
local agents = redis.call('HGET', roster_key(prefix, dates[1], shift), 'agents') or ''
for _, date in ipairs(dates) do
  if (redis.call('HGET', roster_key(prefix, date, shift), 'agents') or '') ~= agents then
    return { 'ok', changes, 'added', named(persons) }
  end
end
return { 'ok', changes, 'agents', named(words(agents)) }
