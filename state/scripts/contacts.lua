-- contacts: emergency contact cards and the emergency plan.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, op, ...
--   'card' id                 -> {} | {name, phone, address, backup}
--   'set' field value         -> {'ok'}   (the caller's own card; the value is not audited)
--   'plan'                    -> {text or ''}
--   'plan_set' text           -> {'ok'}
-- helpers: audit, staff_name
local prefix, now, actor, src, op = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if op == 'card' then
  local id = ARGV[6]
  if redis.call('EXISTS', prefix .. 'staff:' .. id) == 0 then return {} end
  local c = redis.call('HMGET', prefix .. 'contact:' .. id, 'phone', 'address', 'backup')
  return { staff_name(prefix, id), c[1] or '', c[2] or '', c[3] or '' }
elseif op == 'set' then
  redis.call('HSET', prefix .. 'contact:' .. actor, ARGV[6], ARGV[7])
  audit(prefix, now, actor, 'contacts.set', actor, ARGV[6], src)
  return { 'ok' }
elseif op == 'plan' then
  return { redis.call('GET', prefix .. 'plan') or '' }
end
redis.call('SET', prefix .. 'plan', ARGV[6])
audit(prefix, now, actor, 'plan.set', 'plan', string.sub(ARGV[6], 1, 80), src)
return { 'ok' }
