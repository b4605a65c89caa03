-- staff_remove: delete a staff record and free its identities.  Someone who
-- still holds roster slots of shifts not yet over (running or to come) is
-- not removed: the answer lists the slots, so they can be given to someone
-- else first.  With force the slots are freed (an open check-in is closed
-- now) and ops is told the gaps.
-- KEYS[1] staff:<id>
-- ARGV    prefix, now, actor, src, actor rank, id, force 0|1,
--         instances not over yet of yesterday and today ("date|shift|week" list),
--         the dates from tomorrow on (space list), all shift names (space list)
-- returns {'ok', name, level, source, freed "date shift (slot), ..." | ''} | {'not_found'} | {'rank'}
--         | {'last_webmaster', name} | {'holds', name, level, "date shift (slot)", ...}
-- helpers: audit, words, may_manage, webmaster_count, notify_channel, staff_name,
--   slot_of, take_out, close_span, gap_said
local prefix, now, actor, src, rank, id, force = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local key = KEYS[1]
local r = redis.call('HMGET', key, 'name', 'role', 'level', 'identities', 'source')
local name, role, level = r[1], r[2], r[3] or ''
if not name then return { 'not_found' } end
if not may_manage(rank, role) then return { 'rank' } end
if role == 'webmaster' and webmaster_count(prefix) <= 1 then return { 'last_webmaster', name } end

-- the slots still to serve
local held = {}
local function look(date, shift, week)
  local slot = slot_of(prefix, date, shift, id)
  if slot then held[#held + 1] = { date = date, shift = shift, slot = slot, week = week } end
end
for _, inst in ipairs(words(ARGV[8])) do
  local date, shift, week = string.match(inst, '^([^|]+)|([^|]+)|([^|]+)$')
  look(date, shift, week)
end
local shifts = words(ARGV[10])
for _, date in ipairs(words(ARGV[9])) do
  for _, shift in ipairs(shifts) do look(date, shift, nil) end
end
local list, plain = {}, {}     -- said to people; plain for the audit log
for _, h in ipairs(held) do
  list[#list + 1] = gap_said(h.date, h.shift, h.slot)
  plain[#plain + 1] = h.date .. ' ' .. h.shift .. ' (' .. h.slot .. ')'
end
if #held > 0 and force ~= '1' then
  local out = { 'holds', name, level }
  for _, s in ipairs(list) do out[#out + 1] = s end
  return out
end
for _, h in ipairs(held) do
  take_out(prefix, h.date, h.shift, h.slot, id)
  if h.week and close_span(prefix, h.date, h.shift, h.week, id, tonumber(now), '') then
    audit(prefix, now, actor, 'shift.checkout', id, h.date .. ' ' .. h.shift .. ' (removed)', src)
  end
end
if #held > 0 then
  notify_channel(prefix, 'ops', 'MSG_STAFF_REMOVED_GAPS_OPS', {
    name = staff_name(prefix, id), by = staff_name(prefix, actor), gaps = table.concat(list, ', ') })
  audit(prefix, now, actor, 'roster.remove', id, table.concat(plain, ', '), src)
end

for _, ident in ipairs(words(r[4])) do
  if redis.call('HGET', prefix .. 'ident', ident) == id then
    redis.call('HDEL', prefix .. 'ident', ident)
  end
end
redis.call('DEL', key)
redis.call('SREM', prefix .. 'staff', id)
audit(prefix, now, actor, 'staff.remove', id, role .. ' ' .. name, src)
return { 'ok', name, level, r[5] or 'chat', table.concat(list, ', ') }
