-- late_fire: the vice-minister responsibility system.  Fired at a shift's
-- start + late_grace.  It holds for the lead and for the minister on duty
-- alike: one not checked in gets a warning the first time within the window
-- and is replaced the second time - a lead by the standby or the next vice
-- minister free that day, a minister on duty by another minister free that
-- day; when nobody is free, ops and the webmasters are told to act.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, member, date, shift, window ms, configured standby ('' = none), start "HH:MM",
--         all shift names (space list), shift lengths ("name:ms ...")
-- returns {'lead', outcome, id, standby, 'minister', outcome, id, standby} with outcome
--         'on_time'|'none'|'already'|'warned'|'replaced'|'no_standby'
-- helpers: audit, say_inner, words, notify_channel, notify_staff, staff_with_role, staff_name,
--   timer_done, roster_key, slot_of, take_out, on_leave, att_key, roster_changed,
--   fewest_hours_first
local prefix, now, member, date, shift, window, standby, start =
  ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), ARGV[7], ARGV[8]
local key = roster_key(prefix, date, shift)
local att = att_key(prefix, date, shift)
timer_done(prefix, member)

-- the messages of each slot: first warning (you, others), replaced (you,
-- the new one, others), nobody free
local TEXT = {
  lead = { 'MSG_LATE_WARNING_YOU', 'MSG_LATE_WARNING_OPS', 'MSG_LATE_REPLACED_YOU', 'MSG_LATE_STANDBY_YOU',
           'MSG_LATE_REPLACED_OPS', 'MSG_LATE_NO_STANDBY', role = 'vice_minister', replaced = 'replaced' },
  minister = { 'MSG_LATE_MINISTER_WARNING_YOU', 'MSG_LATE_MINISTER_WARNING_OPS', 'MSG_LATE_MINISTER_REPLACED_YOU',
               'MSG_LATE_MINISTER_STANDBY_YOU', 'MSG_LATE_MINISTER_REPLACED_OPS', 'MSG_LATE_MINISTER_NO_STANDBY',
               role = 'minister', replaced = 'minister_replaced' },
}

-- Is ID free to take SLOT on this date: not on leave, not holding that slot
-- on another shift of the day, not the other leading slot of this shift?
local function free(id, slot, late)
  if id == late or on_leave(prefix, id, date) then return false end
  if redis.call('EXISTS', prefix .. 'staff:' .. id) == 0 then return false end
  for _, s in ipairs(words(ARGV[9])) do
    if redis.call('HGET', roster_key(prefix, date, s), slot) == id then return false end
  end
  local here = slot_of(prefix, date, shift, id)
  return here == nil or here == 'agent'
end

local function rule(slot, late, others)
  local t = TEXT[slot]
  if redis.call('HEXISTS', att, late .. ':in') == 1 then return { 'on_time', late, '' } end
  local lates = prefix .. 'lates:' .. late
  if redis.call('ZSCORE', lates, date .. '|' .. shift) then return { 'already', late, '' } end
  local before = redis.call('ZCOUNT', lates, now - window, now)
  redis.call('ZADD', lates, now, date .. '|' .. shift)
  redis.call('ZREMRANGEBYSCORE', lates, '-inf', now - window - 86400000 * 400)
  local params = { lead = staff_name(prefix, late), minister = staff_name(prefix, late), shift = shift,
    date = date, start = start }
  if before == 0 then
    notify_staff(prefix, late, t[1], params)
    notify_channel(prefix, 'ops', t[2], params)
    for _, id in ipairs(others) do notify_staff(prefix, id, t[2], params) end
    redis.call('HINCRBY', prefix .. 'warnings', late, 1)
    audit(prefix, now, 'dutybot', 'shift.late_warning', late, date .. ' ' .. shift .. ' ' .. slot, 'timer')
    return { 'warned', late, '' }
  end
  -- the second time within the window: replace
  local pick = nil
  if slot == 'lead' and standby ~= '' and free(standby, slot, late) then pick = standby end
  if not pick then
    local cands = {}
    for _, id in ipairs(staff_with_role(prefix, t.role)) do
      if free(id, slot, late) then cands[#cands + 1] = id end
    end
    pick = fewest_hours_first(prefix, cands, date, ARGV[10])[1]
  end
  if not pick then
    notify_channel(prefix, 'ops', t[6], params)
    for _, id in ipairs(staff_with_role(prefix, 'webmaster')) do notify_staff(prefix, id, t[6], params) end
    audit(prefix, now, 'dutybot', 'shift.late_again', late, date .. ' ' .. shift .. ' ' .. slot .. ' (no standby)', 'timer')
    return { 'no_standby', late, '' }
  end
  local old_slot = slot_of(prefix, date, shift, pick)
  if old_slot then take_out(prefix, date, shift, old_slot, pick) end
  redis.call('HSET', key, slot, pick, t.replaced, late)
  params.standby = staff_name(prefix, pick)
  -- logged for !upcoming; the messages below tell both already
  local why = say_inner('MSG_CHANGE_WHY_LATE', {})
  roster_changed(prefix, now, late, { { 'off', date, shift, slot } }, why, true)
  local moved = { { 'on', date, shift, slot } }
  if old_slot then moved[2] = { 'off', date, shift, old_slot } end
  roster_changed(prefix, now, pick, moved, why, true)
  notify_staff(prefix, late, t[3], params)
  notify_staff(prefix, pick, t[4], params)
  notify_channel(prefix, 'ops', t[5], params)
  for _, id in ipairs(staff_with_role(prefix, 'webmaster')) do
    if id ~= pick then notify_staff(prefix, id, t[5], params) end
  end
  audit(prefix, now, 'dutybot', 'shift.late_replaced', late, date .. ' ' .. shift .. ' ' .. slot .. ' -> ' .. pick, 'timer')
  return { 'replaced', late, pick }
end

local r = redis.call('HMGET', key, 'lead', 'minister')
local out = {}
for i, slot in ipairs({ 'lead', 'minister' }) do
  local late = r[i]
  local res = { 'none', '', '' }
  if late then
    -- a lead's first warning goes to the minister on duty too; a minister's to the webmasters
    local others = {}
    if slot == 'lead' then
      if r[2] and r[2] ~= late then others[1] = r[2] end
    else
      for _, id in ipairs(staff_with_role(prefix, 'webmaster')) do if id ~= late then others[#others + 1] = id end end
    end
    res = rule(slot, late, others)
  end
  out[#out + 1] = slot
  for _, v in ipairs(res) do out[#out + 1] = v end
end
return out
