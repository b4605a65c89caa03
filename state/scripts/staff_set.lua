-- staff_set: one field of a staff record.
-- KEYS[1] staff:<id>
-- ARGV    prefix, now, actor, src, actor rank, id, field, value
-- returns {'ok', name, level} | {'unchanged', name, level} | {'not_found'} | {'rank'}
--         | {'needs_level'} | {'last_webmaster', name}
-- helpers: audit, ROLE_RANK, may_manage, webmaster_count
local prefix, now, actor, src, rank, id, field, value =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local key = KEYS[1]
local r = redis.call('HMGET', key, 'name', 'role', 'level')
local name, role, level = r[1], r[2], r[3] or ''
if not name then return { 'not_found' } end
if not may_manage(rank, role) then return { 'rank' } end
if field == 'role' then
  if tonumber(rank) < 4 and (ROLE_RANK[value] or 0) >= tonumber(rank) then return { 'rank' } end
  if value == 'agent' and level == '' then return { 'needs_level' } end
  if role == 'webmaster' and value ~= 'webmaster' and webmaster_count(prefix) <= 1 then
    return { 'last_webmaster', name }
  end
end
if field == 'level' and value == '' and role == 'agent' then return { 'needs_level' } end
local old = redis.call('HGET', key, field) or ''
if old == value then return { 'unchanged', name, level } end
redis.call('HSET', key, field, value, 'updated', now)
if field == 'name' then name = value end
if field == 'level' then level = value end
local shown = value
if field == 'email' then shown = '(e-mail changed)' end
audit(prefix, now, actor, 'staff.set', id, field .. ': ' .. (field == 'email' and '' or (old .. ' -> ')) .. shown, src)
return { 'ok', name, level }
