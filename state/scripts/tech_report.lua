-- tech_report: !tech <text> -> T-n to the tech channel at once;
-- !tech resolve T-n <note>; !tech list.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, 'new'|'resolve'|'list', text or id, where or note
-- returns new: {'ok', id}; resolve: {'ok'} | {'not_found'} | {'already', by name};
--         list: {id, text, by name, where, created, ...}
-- helpers: audit, notify_channel, staff_name
local prefix, now, actor, src, op = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if op == 'new' then
  local id = 'T-' .. redis.call('INCR', prefix .. 'seq:T')
  redis.call('HSET', prefix .. 'tech:' .. id, 'id', id, 'text', ARGV[6], 'by', actor, 'where', ARGV[7],
    'created', now, 'state', 'open')
  redis.call('ZADD', prefix .. 'tech:open', now, id)
  redis.call('ZADD', prefix .. 'tech:created', now, id)
  notify_channel(prefix, 'tech', 'MSG_TECH_REPORT', { id = id, text = ARGV[6], by = staff_name(prefix, actor), where = ARGV[7] })
  audit(prefix, now, actor, 'tech.report', id, ARGV[6], src)
  return { 'ok', id }
elseif op == 'resolve' then
  local key = prefix .. 'tech:' .. ARGV[6]
  local t = redis.call('HMGET', key, 'state', 'resolved_by')
  if not t[1] then return { 'not_found' } end
  if t[1] ~= 'open' then return { 'already', staff_name(prefix, t[2]) } end
  redis.call('HSET', key, 'state', 'resolved', 'resolved_by', actor, 'resolved_at', now, 'note', ARGV[7])
  redis.call('ZREM', prefix .. 'tech:open', ARGV[6])
  notify_channel(prefix, 'tech', 'MSG_TECH_RESOLVED', { id = ARGV[6], by = staff_name(prefix, actor), note = ARGV[7] })
  audit(prefix, now, actor, 'tech.resolve', ARGV[6], ARGV[7], src)
  return { 'ok' }
end
local out = {}
for _, id in ipairs(redis.call('ZRANGE', prefix .. 'tech:open', 0, -1)) do
  local t = redis.call('HMGET', prefix .. 'tech:' .. id, 'text', 'by', 'where', 'created')
  out[#out + 1] = id
  out[#out + 1] = t[1] or ''
  out[#out + 1] = staff_name(prefix, t[2] or '?')
  out[#out + 1] = t[3] or ''
  out[#out + 1] = t[4] or ''
end
return out
