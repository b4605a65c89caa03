-- staff_read: one record, or the list.
-- KEYS[1] staff:<id> for one, the staff set for the list
-- ARGV    prefix, 'one'|'list', role filter ('' = all)
-- returns one:  {} | {id, name, email, role, level, lang, identities, source}
--         list: {id, name, role, level, id, name, role, level, ...} sorted by id
-- helpers: none
local prefix, mode, want = ARGV[1], ARGV[2], ARGV[3]
if mode == 'one' then
  local r = redis.call('HMGET', KEYS[1], 'name', 'email', 'role', 'level', 'lang', 'identities', 'source')
  if not r[1] then return {} end
  local id = string.sub(KEYS[1], #prefix + 7)
  return { id, r[1], r[2] or '', r[3] or '', r[4] or '', r[5] or '', r[6] or '', r[7] or '' }
end
local ids = redis.call('SMEMBERS', KEYS[1])
table.sort(ids)
local out = {}
for _, id in ipairs(ids) do
  local r = redis.call('HMGET', prefix .. 'staff:' .. id, 'name', 'role', 'level')
  if r[1] and (want == '' or r[2] == want) then
    out[#out + 1] = id
    out[#out + 1] = r[1]
    out[#out + 1] = r[2] or ''
    out[#out + 1] = r[3] or ''
  end
end
return out
