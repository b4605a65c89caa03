-- begin: the first round trip of every command: drop a message already
-- handled (by this instance before a resume replay, or by another instance)
-- and say who sent it.
-- KEYS[1]  the dedupe key seen:<connection>:<message id> (any site key when not deduping)
-- ARGV     prefix, dedupe "1"|"0", dedupe ttl ms, identity "<connection>:<user id>",
--          then the identities of people mentioned in the text (Discord/Slack "<@id>")
-- returns  {0} duplicate | {1, id, name, email, role, level, lang, mentioned} staff |
--          {2, lang, mentioned} friend; mentioned: the staff id of each mention, "" if none
local prefix = ARGV[1]
if ARGV[2] == '1' then
  if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[3]) then
    return {0}
  end
end
local mentioned = {}
for i = 5, #ARGV do
  mentioned[#mentioned + 1] = redis.call('HGET', prefix .. 'ident', ARGV[i]) or ''
end
local id = redis.call('HGET', prefix .. 'ident', ARGV[4])
if id then
  local r = redis.call('HMGET', prefix .. 'staff:' .. id, 'name', 'email', 'role', 'level', 'lang')
  if r[1] then
    return {1, id, r[1], r[2] or '', r[3] or 'agent', r[4] or '', r[5] or '', mentioned}
  end
end
local lang = redis.call('HGET', prefix .. 'friend:' .. ARGV[4], 'lang')
return {2, lang or '', mentioned}
