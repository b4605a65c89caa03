-- lang_set: the language someone is answered in.
-- KEYS[1] staff:<id> for staff, friend:<identity> for a chat friend
-- ARGV    prefix, now, actor, src, lang, 'staff'|'friend'
-- returns {'ok'} | {'unchanged'}
-- helpers: audit
local prefix, now, actor, src, lang, kind = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local key = KEYS[1]
if redis.call('HGET', key, 'lang') == lang then return { 'unchanged' } end
redis.call('HSET', key, 'lang', lang)
if kind == 'friend' then
  redis.call('PEXPIRE', key, 400 * 86400 * 1000)   -- a friend's preference fades after a year unused
end
audit(prefix, now, actor, 'lang.set', actor, lang, src)
return { 'ok' }
