-- remind_fire: before a shift starts, everyone on its roster (lead, minister
-- on duty, agents) who has not checked in to it gets a private reminder in
-- their language, worded for their slot.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, member, date, shift, start "HH:MM"
-- returns {'reminded', count} | {'nobody'}
-- helpers: words, notify_staff, timer_done, roster_key, att_key
local prefix, now, member, date, shift, start = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
timer_done(prefix, member)
local r = redis.call('HMGET', roster_key(prefix, date, shift), 'lead', 'minister', 'agents')
local att = att_key(prefix, date, shift)
local people = {}
if r[1] then people[#people + 1] = { r[1], 'MSG_SHIFT_REMINDER' } end
if r[2] and r[2] ~= r[1] then people[#people + 1] = { r[2], 'MSG_SHIFT_REMINDER_MINISTER' } end
for _, id in ipairs(words(r[3])) do people[#people + 1] = { id, 'MSG_SHIFT_REMINDER_AGENT' } end
if #people == 0 then return { 'nobody' } end
local n = 0
for _, p in ipairs(people) do
  if redis.call('HEXISTS', att, p[1] .. ':in') == 0
     and notify_staff(prefix, p[1], p[2], { shift = shift, date = date, start = start }) then
    n = n + 1
  end
end
return { 'reminded', tostring(n) }
