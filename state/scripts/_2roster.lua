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
