-- upcoming: !upcoming [person]: a person's next shifts and what changed in
-- their shifts since they last looked (their change log, roster_changed in
-- _2roster.lua); looking at one's own marks those changes seen.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, who, mark seen 0|1, most shifts to list,
--         then the shift instances to look at "date|shift" in time order
-- returns {'ok', name, {date, shift, slot, ...}, {at ms, change span, ...} newest first}
--         | {'no_such_person'}
-- helpers: staff_name, slot_of
local prefix, now, who, mark, most = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if redis.call('EXISTS', prefix .. 'staff:' .. who) == 0 then return { 'no_such_person' } end
local shifts = {}
for i = 6, #ARGV do
  if #shifts >= 3 * most then break end
  local date, shift = string.match(ARGV[i], '^([^|]+)|(.+)$')
  local slot = date and slot_of(prefix, date, shift, who)
  if slot then
    shifts[#shifts + 1] = date
    shifts[#shifts + 1] = shift
    shifts[#shifts + 1] = slot
  end
end
local seen = tonumber(redis.call('HGET', prefix .. 'changes_seen', who) or '0') or 0
local changes = {}
for _, e in ipairs(redis.call('LRANGE', prefix .. 'changes:' .. who, 0, -1)) do
  local at, span = string.match(e, '^(%d+)|(.*)$')
  if at and tonumber(at) > seen then
    changes[#changes + 1] = at
    changes[#changes + 1] = span
  end
end
if mark == '1' then redis.call('HSET', prefix .. 'changes_seen', who, now) end
return { 'ok', staff_name(prefix, who), shifts, changes }
