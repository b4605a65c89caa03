-- late_fire: the vice-minister responsibility system.  Fired at a shift's
-- start + late_grace: a lead not checked in gets a warning the first time
-- within the window, and is replaced by the standby the second time.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, member, date, shift, window ms, configured standby ('' = none), start "HH:MM",
--         all shift names (space list)
-- returns {'on_time'|'no_lead'|'warned'|'replaced'|'no_standby', lead, standby}
local prefix, now, member, date, shift, window, standby, start =
  ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), ARGV[7], ARGV[8]
local key = roster_key(prefix, date, shift)
local r = redis.call('HMGET', key, 'lead', 'minister')
local lead, minister = r[1], r[2]
timer_done(prefix, member)
if not lead then return { 'no_lead' } end
if redis.call('HEXISTS', prefix .. 'att:' .. date .. ':' .. shift, lead .. ':in') == 1 then
  return { 'on_time', lead }
end
local lates = prefix .. 'lates:' .. lead
if redis.call('ZSCORE', lates, date .. '|' .. shift) then return { 'already', lead } end
local before = redis.call('ZCOUNT', lates, now - window, now)
redis.call('ZADD', lates, now, date .. '|' .. shift)
redis.call('ZREMRANGEBYSCORE', lates, '-inf', now - window - 86400000 * 400)
local params = { lead = staff_name(prefix, lead), shift = shift, date = date, start = start }
if before == 0 then
  notify_staff(prefix, lead, 'MSG_LATE_WARNING_YOU', params)
  notify_channel(prefix, 'ops', 'MSG_LATE_WARNING_OPS', params)
  if minister and minister ~= lead then notify_staff(prefix, minister, 'MSG_LATE_WARNING_OPS', params) end
  redis.call('HINCRBY', prefix .. 'warnings', lead, 1)
  audit(prefix, now, 'dutybot', 'shift.late_warning', lead, date .. ' ' .. shift, 'timer')
  return { 'warned', lead }
end
-- the second time: replace with the standby, or the next vice minister free that day
local pick = nil
if standby ~= '' and standby ~= lead and redis.call('EXISTS', prefix .. 'staff:' .. standby) == 1
   and not on_leave(prefix, standby, date) then
  pick = standby
end
if not pick then
  for _, id in ipairs(staff_with_role(prefix, 'vice_minister')) do
    if id ~= lead and not on_leave(prefix, id, date) then
      local busy = false
      for _, s in ipairs(words(ARGV[9])) do
        if redis.call('HGET', roster_key(prefix, date, s), 'lead') == id then busy = true end
      end
      if not busy then pick = id break end
    end
  end
end
if not pick then
  notify_channel(prefix, 'ops', 'MSG_LATE_NO_STANDBY', params)
  for _, id in ipairs(staff_with_role(prefix, 'webmaster')) do
    notify_staff(prefix, id, 'MSG_LATE_NO_STANDBY', params)
  end
  audit(prefix, now, 'dutybot', 'shift.late_again', lead, date .. ' ' .. shift .. ' (no standby)', 'timer')
  return { 'no_standby', lead }
end
local old_slot = slot_of(prefix, date, shift, pick)
if old_slot and old_slot ~= 'lead' then take_out(prefix, date, shift, old_slot, pick) end
redis.call('HSET', key, 'lead', pick, 'replaced', lead)
params.standby = staff_name(prefix, pick)
notify_staff(prefix, lead, 'MSG_LATE_REPLACED_YOU', params)
notify_staff(prefix, pick, 'MSG_LATE_STANDBY_YOU', params)
notify_channel(prefix, 'ops', 'MSG_LATE_REPLACED_OPS', params)
for _, id in ipairs(staff_with_role(prefix, 'webmaster')) do
  notify_staff(prefix, id, 'MSG_LATE_REPLACED_OPS', params)
end
audit(prefix, now, 'dutybot', 'shift.late_replaced', lead, date .. ' ' .. shift .. ' -> ' .. pick, 'timer')
return { 'replaced', lead, pick }
