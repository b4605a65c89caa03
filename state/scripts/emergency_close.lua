-- emergency_close: !ack E-n (stops the escalation) and !resolve E-n <note>.
-- The person who raised it is told privately who took it, and when (unless
-- they did it themselves).
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, id, 'ack'|'resolve', note, now as local "HH:MM"
-- returns {'ok'} | {'not_found'} | {'already', by name, at ms} | {'resolved', by name}
-- helpers: audit, notify_channel, notify_staff, staff_name, timer_done
local prefix, now, actor, src, id, mode, note, hhmm = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local key = prefix .. 'emergency:' .. id
local e = redis.call('HMGET', key, 'state', 'acked_by', 'acked_at', 'resolved_by', 'by')
if not e[1] then return { 'not_found' } end
if e[1] == 'resolved' then return { 'resolved', staff_name(prefix, e[4]) } end
timer_done(prefix, 'esc|' .. id)
local raiser = e[5]
if mode == 'ack' then
  if e[2] then return { 'already', staff_name(prefix, e[2]), e[3] } end
  redis.call('HSET', key, 'acked_by', actor, 'acked_at', now)
  notify_channel(prefix, 'alerts', 'MSG_EMERGENCY_ACKED', { id = id, by = staff_name(prefix, actor) })
  if raiser and raiser ~= actor then
    notify_staff(prefix, raiser, 'MSG_EMERGENCY_YOURS_ACKED', { id = id, by = staff_name(prefix, actor), time = hhmm })
  end
  audit(prefix, now, actor, 'emergency.ack', id, '', src)
  return { 'ok' }
end
if not e[2] then redis.call('HSET', key, 'acked_by', actor, 'acked_at', now) end
redis.call('HSET', key, 'state', 'resolved', 'resolved_by', actor, 'resolved_at', now, 'note', note)
redis.call('ZREM', prefix .. 'emergencies:open', id)
redis.call('ZADD', prefix .. 'emergencies:closed', now, id)
redis.call('ZREMRANGEBYRANK', prefix .. 'emergencies:closed', 0, -1001)
notify_channel(prefix, 'alerts', 'MSG_EMERGENCY_RESOLVED', { id = id, by = staff_name(prefix, actor), note = note })
if raiser and raiser ~= actor then
  notify_staff(prefix, raiser, 'MSG_EMERGENCY_YOURS_RESOLVED', { id = id, by = staff_name(prefix, actor), note = note, time = hhmm })
end
audit(prefix, now, actor, 'emergency.resolve', id, note, src)
return { 'ok' }
