-- staff_add: a new staff member from chat.
-- KEYS[1] staff:<id>
-- ARGV    prefix, now, actor, src, id, name, email, role, level, lang, identities
-- returns {'ok'} | {'exists'} | {'identity_taken', identity, owner name}
-- helpers: audit, words
local prefix, now, actor, src, id = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local key = KEYS[1]
if redis.call('EXISTS', key) == 1 then return { 'exists' } end
for _, ident in ipairs(words(ARGV[11])) do
  local owner = redis.call('HGET', prefix .. 'ident', ident)
  if owner then
    return { 'identity_taken', ident, redis.call('HGET', prefix .. 'staff:' .. owner, 'name') or owner }
  end
end
redis.call('HSET', key, 'name', ARGV[6], 'email', ARGV[7], 'role', ARGV[8], 'level', ARGV[9],
  'lang', ARGV[10], 'identities', ARGV[11], 'source', 'chat', 'created', now, 'updated', now)
for _, ident in ipairs(words(ARGV[11])) do
  redis.call('HSET', prefix .. 'ident', ident, id)
end
redis.call('SADD', prefix .. 'staff', id)
audit(prefix, now, actor, 'staff.add', id, ARGV[8] .. ' ' .. ARGV[9] .. ' ' .. ARGV[6], src)
return { 'ok' }
