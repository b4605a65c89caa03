-- _2roster: the roster of one shift on one date is the hash
-- roster:<date>:<shift> {lead, minister, agents = "id id ..."}.
local SLOT_RANK = { lead = 2, minister = 3, agent = 1 }   -- lowest role rank a slot needs

local function roster_key(prefix, date, shift)
  return prefix .. 'roster:' .. date .. ':' .. shift
end

-- The slot ID holds on DATE SHIFT: 'lead', 'minister', 'agent' or nil.
local function slot_of(prefix, date, shift, id)
  local r = redis.call('HMGET', roster_key(prefix, date, shift), 'lead', 'minister', 'agents')
  if r[1] == id then return 'lead' end
  if r[2] == id then return 'minister' end
  if has(r[3], id) then return 'agent' end
  return nil
end

-- A freed slot as each reader says it ("2026-12-10 Frühschicht (Agent)"):
-- the shift and the slot are words, not the config's and the state's keywords.
local function gap_said(date, shift, slot)
  return say_inner('MSG_ROSTER_GAP', { 'date', date, 'shift', shift, 'slot', 'MSG_ROSTER_SLOT_' .. string.upper(slot) })
end

local function put_in(prefix, date, shift, slot, id)
  local key = roster_key(prefix, date, shift)
  if slot == 'agent' then
    local agents = redis.call('HGET', key, 'agents') or ''
    if not has(agents, id) then
      redis.call('HSET', key, 'agents', (agents == '' and id) or (agents .. ' ' .. id))
    end
  else
    redis.call('HSET', key, slot, id)
  end
end

local function take_out(prefix, date, shift, slot, id)
  local key = roster_key(prefix, date, shift)
  if slot == 'agent' then
    redis.call('HSET', key, 'agents', without(redis.call('HGET', key, 'agents'), id))
  elseif redis.call('HGET', key, slot) == id then
    redis.call('HDEL', key, slot)
  end
end

local function role_rank(prefix, id)
  return ROLE_RANK[redis.call('HGET', prefix .. 'staff:' .. id, 'role') or 'friend'] or 0
end

-- May ID hold SLOT? (a lead is a vice minister or above, the minister on
-- duty a minister or above, an agent any staff member)
local function may_hold(prefix, id, slot)
  return role_rank(prefix, id) >= SLOT_RANK[slot]
end

local function on_leave(prefix, id, date)
  return redis.call('SISMEMBER', prefix .. 'onleave:' .. id, date) == 1
end


-- Attendance of one shift instance: the hash att:<date>:<shift> with, per
-- person, <id>:in (start of the open or the last interval), <id>:out (end of
-- the last interval; absent while checked in), <id>:late (the first check-in
-- was late) and <id>:spans (the closed intervals, "in-out" or "in-outA" for
-- the automatic check-out at the shift's end).  Checked in now = :in
-- without :out.  Hours worked come from the closed intervals only: each one
-- adds its length to hours:<week> once, when it closes.
local function att_key(prefix, date, shift)
  return prefix .. 'att:' .. date .. ':' .. shift
end

-- The milliseconds in a spans list.
local function spans_ms(spans)
  local ms = 0
  for a, b in string.gmatch(spans or '', '(%d+)-(%d+)') do ms = ms + tonumber(b) - tonumber(a) end
  return ms
end

-- Close ID's open interval on DATE SHIFT (of ISO week WEEK) at AT; KIND 'A'
-- marks the automatic check-out.  Returns the interval's ms, or nil when ID
-- was not checked in there.
local function close_span(prefix, date, shift, week, id, at, kind)
  local att = att_key(prefix, date, shift)
  local r = redis.call('HMGET', att, id .. ':in', id .. ':out', id .. ':spans')
  if not r[1] or r[2] then return nil end
  local from = tonumber(r[1])
  if at < from then at = from end
  local worked = at - from
  local span = r[1] .. '-' .. string.format('%d', at) .. (kind or '')
  redis.call('HSET', att, id .. ':out', string.format('%d', at), id .. ':spans', (r[3] and r[3] ~= '' and (r[3] .. ' ' .. span)) or span)
  redis.call('HINCRBY', prefix .. 'hours:' .. week, id, worked)
  redis.call('HINCRBY', prefix .. 'staff:' .. id, 'hours_total_ms', worked)
  redis.call('PEXPIRE', prefix .. 'hours:' .. week, 400 * 86400000)
  if kind == 'A' then
    redis.call('HINCRBY', prefix .. 'autocount:' .. week, id, 1)
    redis.call('PEXPIRE', prefix .. 'autocount:' .. week, 400 * 86400000)
  end
  return worked
end

-- Told when it changes: the one place a roster change reaches the person.
-- Every script that changes someone's slot (a roster edit, a swap, a leave,
-- the late rule; r6-swaps' arrange and undo) calls it for each person whose
-- slots changed, in the same atomic call as the change.  CHANGES =
-- { {'on'|'off', dates, shift, slot}, ... } (dates "2026-12-10" or
-- "2026-12-10..2026-12-14"); WHY a span say_inner('MSG_CHANGE_WHY_...').
-- Each change goes to the person's change log changes:<id> (a list of
-- "<now>|<span>", newest first, CHANGE_LOG_MAX long: upcoming.lua shows
-- those since they last looked) and, unless TOLD (they made the change or
-- the caller's own message to them says it already), all of them in one
-- private notice through the outbox.
local CHANGE_LOG_MAX = 50
local CHANGE_LOG_TTL = 90 * 86400000

local function roster_changed(prefix, now, id, changes, why, told)
  local key, said = prefix .. 'changes:' .. id, {}
  for _, c in ipairs(changes) do
    local s = say(c[1] == 'on' and 'MSG_CHANGE_ON' or 'MSG_CHANGE_OFF',
      { 'dates', c[2], 'shift', c[3], 'slot', 'MSG_ROSTER_SLOT_' .. string.upper(c[4]), 'why', why })
    said[#said + 1] = s
    redis.call('LPUSH', key, string.format('%d', tonumber(now)) .. '|' .. s)
  end
  if #said == 0 then return end
  redis.call('LTRIM', key, 0, CHANGE_LOG_MAX - 1)
  redis.call('PEXPIRE', key, CHANGE_LOG_TTL)
  if not told then notify_staff(prefix, id, 'MSG_ROSTER_CHANGED_YOU', { changes = table.concat(said, '\n') }) end
end

-- The day number of "YYYY-MM-DD" (days since 1970-01-01; civil calendar).
local function day_number(date)
  local y, m, d = string.match(date or '', '^(%d+)-(%d+)-(%d+)$')
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if not y then return nil end
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * (m + (m > 2 and -3 or 9)) + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function day_date(n)
  n = n + 719468
  local era = math.floor(n / 146097)
  local doe = n - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400 + (m <= 2 and 1 or 0)
  return string.format('%04d-%02d-%02d', y, m, d)
end

-- Hours on the roster in the week (Monday to Sunday) of DATE, per person:
-- the length of every slot they hold, SHIFT_MS = "name:ms name:ms ...".
local function week_hours(prefix, date, shift_ms)
  local n, hours = day_number(date), {}
  if not n then return hours end
  local monday = n - (n + 3) % 7            -- 1970-01-01 was a Thursday
  for name, ms in string.gmatch(shift_ms or '', '([^%s:]+):(%d+)') do
    for i = 0, 6 do
      local r = redis.call('HMGET', roster_key(prefix, day_date(monday + i), name), 'lead', 'minister', 'agents')
      local ids = words(r[3])
      if r[1] then ids[#ids + 1] = r[1] end
      if r[2] then ids[#ids + 1] = r[2] end
      for _, id in ipairs(ids) do hours[id] = (hours[id] or 0) + tonumber(ms) end
    end
  end
  return hours
end

-- IDS with the fewest hours on the roster in DATE's week first (then by id),
-- and those hours: a replacement is suggested so that the work spreads.
local function fewest_hours_first(prefix, ids, date, shift_ms)
  local hours = week_hours(prefix, date, shift_ms)
  local out = {}
  for _, id in ipairs(ids) do out[#out + 1] = id end
  table.sort(out, function(a, b)
    local ha, hb = hours[a] or 0, hours[b] or 0
    if ha ~= hb then return ha < hb end
    return a < b
  end)
  return out, hours
end

-- "12:30" of MS, as hours are written everywhere.
local function hhmm_of(ms)
  ms = tonumber(ms) or 0
  return string.format('%d:%02d', math.floor(ms / 3600000), math.floor(ms % 3600000 / 60000))
end
