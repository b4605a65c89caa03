-- notice: checked system notifications.  A draft N-n is made only from a
-- text that passed every check (in C); confirming sends it (an outbox entry
-- the sender turns into a site "system" action) or schedules it (a timer).
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, op, ...
--   'draft' rank running("date|shift" list) room text due  -> {'ok', id} | {'not_lead'}
--   'confirm' rank id      -> {'sent', room} | {'scheduled', room, due} | {'not_found'} | {'state', state} | {'not_yours', by name}
--   'cancel' rank id       -> {'ok'} | {'not_found'} | {'state', state} | {'not_yours', by name}
--   'fire' member id       -> {'sent'} | {'skipped'}
--   'list'                 -> {id, state, room, due, by name, text, ...}
-- helpers: audit, hash_table, words, ROLE_RANK, staff_name, timer_set, timer_done,
--   slot_of
local prefix, now, actor, src, op = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

local function send(id, n)
  redis.call('XADD', prefix .. 'outbox', '*',
    'to', 'system:' .. n.room, 'text', n.text, 'msg', '', 'params', '{}')
  redis.call('HSET', prefix .. 'notice:' .. id, 'state', 'sent', 'sent_at', now)
  redis.call('ZREM', prefix .. 'notices', id)
end

local function load(id)
  return hash_table(prefix .. 'notice:' .. id)
end

if op == 'draft' then
  local rank = tonumber(ARGV[6])
  if rank < ROLE_RANK.minister then
    -- below minister: only the lead or the minister on duty of a running shift
    local ok = false
    for _, inst in ipairs(words(ARGV[7])) do
      local date, shift = string.match(inst, '^([^|]+)|(.+)$')
      local s = slot_of(prefix, date, shift, actor)
      if s == 'lead' or s == 'minister' then ok = true end
    end
    if not ok then return { 'not_lead' } end
  end
  local id = 'N-' .. redis.call('INCR', prefix .. 'seq:N')
  redis.call('HSET', prefix .. 'notice:' .. id, 'id', id, 'room', ARGV[8], 'text', ARGV[9], 'due', ARGV[10],
    'by', actor, 'created', now, 'state', 'draft')
  redis.call('ZADD', prefix .. 'notices', now, id)
  audit(prefix, now, actor, 'notice.draft', id, ARGV[8] .. ': ' .. string.sub(ARGV[9], 1, 80), src)
  return { 'ok', id }
elseif op == 'fire' then
  local member, id = ARGV[6], ARGV[7]
  timer_done(prefix, member)
  local n = load(id)
  if not n or n.state ~= 'scheduled' then return { 'skipped' } end
  send(id, n)
  audit(prefix, now, 'dutybot', 'notice.sent', id, n.room, 'timer')
  return { 'sent' }
elseif op == 'list' then
  local out = {}
  for _, id in ipairs(redis.call('ZRANGE', prefix .. 'notices', 0, -1)) do
    local n = load(id)
    if n then
      out[#out + 1] = id
      out[#out + 1] = n.state
      out[#out + 1] = n.room
      out[#out + 1] = n.due
      out[#out + 1] = staff_name(prefix, n.by)
      out[#out + 1] = n.text
    end
  end
  return out
end

local rank, id = tonumber(ARGV[6]), ARGV[7]
local n = load(id)
if not n then return { 'not_found' } end
if n.by ~= actor and rank < ROLE_RANK.minister then return { 'not_yours', staff_name(prefix, n.by) } end
if op == 'cancel' then
  if n.state ~= 'draft' and n.state ~= 'scheduled' then return { 'state', n.state } end
  redis.call('HSET', prefix .. 'notice:' .. id, 'state', 'cancelled')
  redis.call('ZREM', prefix .. 'notices', id)
  timer_done(prefix, 'notice|' .. id)
  audit(prefix, now, actor, 'notice.cancel', id, '', src)
  return { 'ok' }
end
if n.state ~= 'draft' then return { 'state', n.state } end
if tonumber(n.due) > tonumber(now) then
  redis.call('HSET', prefix .. 'notice:' .. id, 'state', 'scheduled')
  timer_set(prefix, 'notice|' .. id, n.due)
  audit(prefix, now, actor, 'notice.schedule', id, n.room, src)
  return { 'scheduled', n.room, n.due }
end
send(id, n)
audit(prefix, now, actor, 'notice.sent', id, n.room, src)
return { 'sent', n.room }
