-- remind_fire: the lead's reminder before the shift starts.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, member, date, shift, start "HH:MM"
local prefix, now, member, date, shift, start = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
timer_done(prefix, member)
local lead = redis.call('HGET', roster_key(prefix, date, shift), 'lead')
if not lead then return { 'no_lead' } end
if redis.call('HEXISTS', prefix .. 'att:' .. date .. ':' .. shift, lead .. ':in') == 1 then return { 'in' } end
notify_staff(prefix, lead, 'MSG_SHIFT_REMINDER', { shift = shift, date = date, start = start })
return { 'reminded', lead }
