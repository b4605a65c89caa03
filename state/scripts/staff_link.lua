-- staff_link: give a platform identity to a staff member, or take it away.
-- KEYS[1] staff:<id>
-- ARGV    prefix, now, actor, src, actor rank, id, identity, 'link'|'unlink'
-- returns {'ok', name, level} | {'not_found'} | {'rank'} | {'taken', owner name}
--         | {'not_linked', name, level} | {'unchanged', name, level}
-- helpers: audit, words, without, may_manage
local prefix, now, actor, src, rank, id, ident, mode =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local key = KEYS[1]
local r = redis.call('HMGET', key, 'name', 'role', 'level', 'identities')
local name, role, level, idents = r[1], r[2], r[3] or '', r[4] or ''
if not name then return { 'not_found' } end
if not may_manage(rank, role) then return { 'rank' } end
local owner = redis.call('HGET', prefix .. 'ident', ident)
if mode == 'link' then
  if owner == id then return { 'unchanged', name, level } end
  if owner then return { 'taken', redis.call('HGET', prefix .. 'staff:' .. owner, 'name') or owner } end
  if #words(idents) >= 16 then return { 'too_many' } end
  redis.call('HSET', prefix .. 'ident', ident, id)
  redis.call('HSET', key, 'identities', (idents == '' and ident) or (idents .. ' ' .. ident), 'updated', now)
  audit(prefix, now, actor, 'staff.link', id, ident, src)
else
  if owner ~= id then return { 'not_linked', name, level } end
  redis.call('HDEL', prefix .. 'ident', ident)
  redis.call('HSET', key, 'identities', without(idents, ident), 'updated', now)
  audit(prefix, now, actor, 'staff.unlink', id, ident, src)
end
return { 'ok', name, level }
