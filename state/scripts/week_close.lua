-- week_close: at the end of a week, post who stayed under the minimum hours
-- (excused ones named apart; nobody is said as a sentence, not a dash) and schedule the next week's close.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, member, week, minimum ms, next member, next due
-- helpers: audit, notify_channel, staff_name, timer_set, timer_done
local prefix, now, member, week, min = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
timer_set(prefix, ARGV[6], ARGV[7])
timer_done(prefix, member)
if redis.call('SET', prefix .. 'weekclosed:' .. week, now, 'NX') == false then return { 'already' } end
local under, excused = {}, {}
local ids = redis.call('SMEMBERS', prefix .. 'staff')
table.sort(ids)
for _, id in ipairs(ids) do
  local role = redis.call('HGET', prefix .. 'staff:' .. id, 'role')
  if role == 'agent' or role == 'vice_minister' then
    local ms = tonumber(redis.call('HGET', prefix .. 'hours:' .. week, id) or '0')
    if ms < min then
      local h = string.format('%d:%02d', math.floor(ms / 3600000), math.floor(ms % 3600000 / 60000))
      if redis.call('HEXISTS', prefix .. 'excused:' .. week, id) == 1 then
        excused[#excused + 1] = staff_name(prefix, id) .. ' ' .. h
      else
        under[#under + 1] = staff_name(prefix, id) .. ' ' .. h
      end
    end
  end
end
local msg = (#under > 0 and #excused > 0 and 'MSG_WEEK_CLOSED') or (#under > 0 and 'MSG_WEEK_CLOSED_UNDER')
  or (#excused > 0 and 'MSG_WEEK_CLOSED_EXCUSED') or 'MSG_WEEK_CLOSED_ALL'
notify_channel(prefix, 'ops', msg, { week = week, min = string.format('%d', math.floor(min / 3600000)),
  under = table.concat(under, ', '), excused = table.concat(excused, ', ') })
audit(prefix, now, 'dutybot', 'attendance.week_closed', week, #under .. ' under the minimum', 'timer')
return { 'closed', #under }
