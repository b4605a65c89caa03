-- emergency_fire: one escalation step of an emergency nobody acknowledged.
-- Steps come from escalation.chain; a step with nobody to page (no shift
-- running, no minister on duty) is passed over at once.  After the last
-- step the chain starts again, escalation.repeat times; then the alerts
-- channel is told every ack_timeout until someone acknowledges.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, member, id, ack timeout ms, repeat, chain (space list),
--         running shift instances ("date|shift" space list)
local prefix, now, member, id = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local timeout, rep = tonumber(ARGV[5]), tonumber(ARGV[6])
local chain, running = words(ARGV[7]), words(ARGV[8])
local key = prefix .. 'emergency:' .. id
local e = redis.call('HMGET', key, 'state', 'acked_by', 'step', 'round', 'text', 'by')
if e[1] ~= 'open' or e[2] then
  timer_done(prefix, member)
  return { 'stopped' }
end
local step, round = tonumber(e[3]), tonumber(e[4])
local plan = redis.call('GET', prefix .. 'plan') or '-'

local function recipients(kind)
  local out = {}
  if kind == 'shift_lead' or kind == 'duty_minister' then
    local field = (kind == 'shift_lead') and 'lead' or 'minister'
    for _, inst in ipairs(running) do
      local date, shift = string.match(inst, '^([^|]+)|(.+)$')
      local who = redis.call('HGET', roster_key(prefix, date, shift), field)
      if who then out[#out + 1] = who end
    end
  elseif kind == 'ministers' then
    out = staff_with_role(prefix, 'minister')
  elseif kind == 'webmasters' then
    out = staff_with_role(prefix, 'webmaster')
  end
  return out
end

if round > rep then
  notify_channel(prefix, 'alerts', 'MSG_EMERGENCY_STILL_OPEN', { id = id, text = e[5] })
  timer_set(prefix, member, now + timeout)
  return { 'reminded' }
end
for _ = 1, #chain do
  step = step + 1
  if step >= #chain then
    step = 0
    round = round + 1
    if round > rep then break end
  end
  local names, paged = {}, {}
  for _, p in ipairs(recipients(chain[step + 1])) do
    -- only who can be reached counts as paged; nobody reachable passes the step over
    if notify_staff(prefix, p, 'MSG_EMERGENCY_PAGE', { id = id, text = e[5], by = staff_name(prefix, e[6]), plan = plan }) then
      names[#names + 1] = staff_name(prefix, p)
      paged[#paged + 1] = p
    end
  end
  local who = paged
  if #who > 0 then
    redis.call('HSET', key, 'step', step, 'round', round)
    notify_channel(prefix, 'alerts', 'MSG_EMERGENCY_PAGED', { id = id, step = chain[step + 1],
      who = table.concat(names, ', '), round = tostring(round + 1) })
    audit(prefix, now, 'dutybot', 'emergency.page', id, chain[step + 1] .. ': ' .. table.concat(who, ' '), 'timer')
    timer_set(prefix, member, now + timeout)
    return { 'paged', chain[step + 1] }
  end
end
redis.call('HSET', key, 'step', step, 'round', round)
notify_channel(prefix, 'alerts', 'MSG_EMERGENCY_STILL_OPEN', { id = id, text = e[5] })
timer_set(prefix, member, now + timeout)
return { 'reminded' }
