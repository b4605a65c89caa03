-- begin_batch: the first round trip of every command, for all the commands
-- read in one loop turn at once (bot/dispatch.c): for each, drop a message
-- already handled (by this instance before a resume replay, or by another
-- instance) and say who sent it.  One call for many commands: Redis's cost
-- per EVALSHA is paid once per batch instead of once per command.
-- KEYS[1]    the identity index <prefix>ident
-- KEYS[1+i]  command i's dedupe key seen:<connection>:<message id> (KEYS[1] when not deduping)
-- ARGV       prefix, dedupe ttl ms, then for each command: dedupe "1"|"0",
--            identity "<connection>:<user id>", the number of mentions M, then
--            the identities of the M people mentioned in the text (Discord/Slack "<@id>")
-- The staff and friend records (<prefix>staff:<id>, <prefix>friend:<identity>)
-- are found through the index, so they cannot be in KEYS; every key shares the
-- {site} hash tag of the prefix, so all of them live in one slot.
-- returns    one reply per command, in order: {0} duplicate |
--            {1, id, name, email, role, level, lang, mentioned} staff |
--            {2, lang, mentioned} friend; mentioned: the staff id of each mention, "" if none
local prefix, ttl, ident = ARGV[1], ARGV[2], KEYS[1]
local out = {}
local a = 3
for k = 2, #KEYS do
  local dedupe, who, first = ARGV[a], ARGV[a + 1], a + 3
  a = first + tonumber(ARGV[a + 2])
  if dedupe == '1' and not redis.call('SET', KEYS[k], '1', 'NX', 'PX', ttl) then
    out[k - 1] = {0}
  else
    local mentioned = {}
    for i = first, a - 1 do
      mentioned[i - first + 1] = redis.call('HGET', ident, ARGV[i]) or ''
    end
    local res
    local id = redis.call('HGET', ident, who)
    if id then
      local r = redis.call('HMGET', prefix .. 'staff:' .. id, 'name', 'email', 'role', 'level', 'lang')
      if r[1] then
        res = {1, id, r[1], r[2] or '', r[3] or 'agent', r[4] or '', r[5] or '', mentioned}
      end
    end
    if not res then
      res = {2, redis.call('HGET', prefix .. 'friend:' .. who, 'lang') or '', mentioned}
    end
    out[k - 1] = res
  end
end
return out
