-- staff_remove: delete a staff record and free its identities.
-- KEYS[1] staff:<id>
-- ARGV    prefix, now, actor, src, actor rank, id
-- returns {'ok', name, level, source} | {'not_found'} | {'rank'} | {'last_webmaster', name}
local prefix, now, actor, src, rank, id = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local key = KEYS[1]
local r = redis.call('HMGET', key, 'name', 'role', 'level', 'identities', 'source')
local name, role, level = r[1], r[2], r[3] or ''
if not name then return { 'not_found' } end
if not may_manage(rank, role) then return { 'rank' } end
if role == 'webmaster' and webmaster_count(prefix) <= 1 then return { 'last_webmaster', name } end
for _, ident in ipairs(words(r[4])) do
  if redis.call('HGET', prefix .. 'ident', ident) == id then
    redis.call('HDEL', prefix .. 'ident', ident)
  end
end
redis.call('DEL', key)
redis.call('SREM', prefix .. 'staff', id)
audit(prefix, now, actor, 'staff.remove', id, role .. ' ' .. name, src)
return { 'ok', name, level, r[5] or 'chat' }
