-- emergency_new: !emergency <text> -> E-n, posted to the alerts channel;
-- its escalation timer is due at once, so the first page (the shift's lead)
-- goes out through the same path as every later one.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, text, where
-- returns {'ok', id}
-- helpers: audit, notify_channel, staff_name, timer_set
local prefix, now, actor, src, text, where = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local id = 'E-' .. redis.call('INCR', prefix .. 'seq:E')
redis.call('HSET', prefix .. 'emergency:' .. id, 'id', id, 'text', text, 'by', actor, 'created', now,
  'state', 'open', 'step', -1, 'round', 0, 'where', where)
redis.call('ZADD', prefix .. 'emergencies:open', now, id)
redis.call('ZADD', prefix .. 'emergencies:created', now, id)
notify_channel(prefix, 'alerts', 'MSG_EMERGENCY_ALERT', { id = id, text = text, by = staff_name(prefix, actor), where = where })
timer_set(prefix, 'esc|' .. id, now)
audit(prefix, now, actor, 'emergency.new', id, text, src)
return { 'ok', id }
