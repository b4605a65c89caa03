-- staff_upsert: a staff entry of the config file into Redis (at start and on
-- reload).  A field takes the config's value when the config's value changed
-- since the last sync (cfg_<field> keeps what was applied): an operator's edit
-- of the file wins, but a change made in chat since (a promotion, !staff set,
-- !lang) is not undone by a mere restart.  Identities linked in chat are kept;
-- an identity the config gives to this person is taken from whoever had it.
-- KEYS[1] staff:<id>
-- ARGV    prefix, now, id, name, email, role, level, lang, identities,
--         probation start ms ('' = none), probation ms ('' = none)
-- returns {changed fields count}
-- helpers: audit, words, without, has
local prefix, now, id = ARGV[1], ARGV[2], ARGV[3]
local key = KEYS[1]
local fields = { name = ARGV[4], email = ARGV[5], role = ARGV[6], level = ARGV[7], lang = ARGV[8] }
local changed = {}
local existed = redis.call('EXISTS', key) == 1
for f, v in pairs(fields) do
  if redis.call('HGET', key, 'cfg_' .. f) ~= v then
    redis.call('HSET', key, 'cfg_' .. f, v)
    if redis.call('HGET', key, f) ~= v then
      redis.call('HSET', key, f, v)
      changed[#changed + 1] = f
    end
  end
end
local idents = redis.call('HGET', key, 'identities') or ''
for _, ident in ipairs(words(ARGV[9])) do
  local owner = redis.call('HGET', prefix .. 'ident', ident)
  if owner ~= id then
    if owner then
      local okey = prefix .. 'staff:' .. owner
      redis.call('HSET', okey, 'identities', without(redis.call('HGET', okey, 'identities'), ident))
      audit(prefix, now, 'config', 'staff.unlink', owner, ident .. ' (moved to ' .. id .. ')', 'config')
    end
    redis.call('HSET', prefix .. 'ident', ident, id)
    changed[#changed + 1] = 'identity ' .. ident
  end
  if not has(idents, ident) then
    idents = (idents == '' and ident) or (idents .. ' ' .. ident)
  end
end
redis.call('HSET', key, 'identities', idents, 'source', 'config')
for i, f in ipairs({ 'probation_start_ms', 'probation_ms' }) do
  local v = ARGV[9 + i]
  if v and v ~= '' then redis.call('HSET', key, f, v) else redis.call('HDEL', key, f) end
end
if not existed then redis.call('HSET', key, 'created', now) end
redis.call('SADD', prefix .. 'staff', id)
if #changed > 0 then
  redis.call('HSET', key, 'updated', now)
  audit(prefix, now, 'config', existed and 'staff.update' or 'staff.add', id, table.concat(changed, ', '), 'config')
end
return { #changed }
