-- emergency_fire: one escalation step of an emergency nobody acknowledged.
-- Steps come from escalation.chain; a step with nobody to page (no shift
-- running, no minister on duty, only the person who raised it) is passed
-- over at once.  After the last step the chain starts again,
-- escalation.repeat times; then the alerts channel is told every
-- ack_timeout until someone acknowledges.
-- The first page (right after the emergency is raised) is said as a page,
-- not as an escalation: nothing timed out yet.  The person who raised it is
-- told privately who was paged first, and once when the whole chain ran out.
-- Step names go out as catalog ids, so each reader reads them in words, in
-- their own language; so does the unit of the time the emergency is open.
-- KEYS[1] any key of the site
-- A page over a person's escalation.pages_per_minute is held for their one
-- summary (page_staff); they count as paged all the same.
-- ARGV    prefix, now, member, id, ack timeout ms, repeat, chain (space list),
--         running shift instances ("date|shift" space list), pages per minute
-- returns {'stopped'} | {'reminded'} | {'paged', step, pages held}
-- helpers: audit, words, has, notify_channel, notify_staff, staff_with_role,
--   staff_name, timer_set, timer_done, roster_key, page_staff
local prefix, now, member, id = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local timeout, rep = tonumber(ARGV[5]), tonumber(ARGV[6])
local chain, running = words(ARGV[7]), words(ARGV[8])
local per_minute = tonumber(ARGV[9]) or 3
local key = prefix .. 'emergency:' .. id
local e = redis.call('HMGET', key, 'state', 'acked_by', 'step', 'round', 'text', 'by', 'created', 'told', 'paged')
if e[1] ~= 'open' or e[2] then
  timer_done(prefix, member)
  return { 'stopped' }
end
local step, round = tonumber(e[3]), tonumber(e[4])
local first = step < 0 and round == 0
local raiser, told = e[6], e[8]
local plan = redis.call('GET', prefix .. 'plan') or ''

local STEP_WORDS = {
  shift_lead = 'MSG_EMERGENCY_STEP_SHIFT_LEAD', duty_minister = 'MSG_EMERGENCY_STEP_DUTY_MINISTER',
  ministers = 'MSG_EMERGENCY_STEP_MINISTERS', webmasters = 'MSG_EMERGENCY_STEP_WEBMASTERS',
}

-- how long the emergency is open: a number and a unit the reader's language names
local function open_for()
  local s = math.floor(math.max(0, now - (tonumber(e[7]) or now)) / 1000)
  if s < 60 then return tostring(s), 'MSG_EMERGENCY_UNIT_SECONDS' end
  if s < 3 * 3600 then return tostring(math.floor(s / 60)), 'MSG_EMERGENCY_UNIT_MINUTES' end
  return tostring(math.floor(s / 3600)), 'MSG_EMERGENCY_UNIT_HOURS'
end

local function recipients(kind)
  local out = {}
  if kind == 'shift_lead' or kind == 'duty_minister' then
    local field = (kind == 'shift_lead') and 'lead' or 'minister'
    for _, inst in ipairs(running) do
      local date, shift = string.match(inst, '^([^|]+)|(.+)$')
      local who = redis.call('HGET', roster_key(prefix, date, shift), field)
      if kind == 'shift_lead' then
        -- a handover not acknowledged yet: the outgoing lead is still the lead
        local ho = redis.call('HMGET', prefix .. 'handack:' .. date .. ':' .. shift, 'out', 'acked_by')
        if ho[1] and not ho[2] then who = ho[1] end
      end
      if who and not has(table.concat(out, ' '), who) then out[#out + 1] = who end
    end
  elseif kind == 'ministers' then
    out = staff_with_role(prefix, 'minister')
  elseif kind == 'webmasters' then
    out = staff_with_role(prefix, 'webmaster')
  end
  return out
end

-- after the last round: reminded here; "everyone was paged" only if someone was
local function still_open()
  local n, unit = open_for()
  if e[9] then
    notify_channel(prefix, 'alerts', 'MSG_EMERGENCY_STILL_OPEN', { id = id, text = e[5], n = n, unit = unit })
  else
    notify_channel(prefix, 'alerts', 'MSG_EMERGENCY_NOBODY_TO_PAGE', { id = id, text = e[5] })
  end
  timer_set(prefix, member, now + timeout)
  return n, unit
end

if round > rep then
  still_open()
  return { 'reminded' }
end
local page = { id = id, text = e[5], by = staff_name(prefix, raiser), plan = plan }
local page_msg = plan ~= '' and 'MSG_EMERGENCY_PAGE' or 'MSG_EMERGENCY_PAGE_NO_PLAN'
for _ = 1, #chain do
  step = step + 1
  if step >= #chain then
    step = 0
    round = round + 1
    if round > rep then break end
  end
  local names, paged, held = {}, {}, 0
  for _, p in ipairs(recipients(chain[step + 1])) do
    -- the one who raised it knows; only who can be reached counts as paged;
    -- nobody reachable passes the step over
    local how = p ~= raiser and page_staff(prefix, p, now, per_minute, id, page_msg, page)
    if how then
      names[#names + 1] = staff_name(prefix, p)
      paged[#paged + 1] = p
      if how == 'held' then held = held + 1 end
    end
  end
  if #paged > 0 then
    local who, words_of = table.concat(names, ', '), STEP_WORDS[chain[step + 1]] or chain[step + 1]
    redis.call('HSET', key, 'step', step, 'round', round, 'paged', who, 'paged_at', now)
    if first then
      notify_channel(prefix, 'alerts', 'MSG_EMERGENCY_PAGING', { id = id, step = words_of, who = who })
    else
      local n, unit = open_for()
      notify_channel(prefix, 'alerts', 'MSG_EMERGENCY_PAGED', { id = id, step = words_of, who = who,
        n = n, unit = unit, round = tostring(round + 1), rounds = tostring(rep + 1) })
    end
    if not told then
      notify_staff(prefix, raiser, 'MSG_EMERGENCY_YOURS_PAGING', { id = id, step = words_of, who = who })
      redis.call('HSET', key, 'told', 'paged')
    end
    audit(prefix, now, 'dutybot', 'emergency.page', id, chain[step + 1] .. ': ' .. table.concat(paged, ' '), 'timer')
    timer_set(prefix, member, now + timeout)
    return { 'paged', chain[step + 1], held }
  end
end
redis.call('HSET', key, 'step', step, 'round', round)
if round > rep then
  -- the whole chain ran out now: the alerts channel from now on, and the one who raised it once
  local n, unit = still_open()
  if e[9] then
    notify_staff(prefix, raiser, 'MSG_EMERGENCY_YOURS_UNANSWERED', { id = id, n = n, unit = unit })
  end
  return { 'reminded' }
end
notify_channel(prefix, 'alerts', 'MSG_EMERGENCY_NOBODY_TO_PAGE', { id = id, text = e[5] })
if first then
  notify_staff(prefix, raiser, 'MSG_EMERGENCY_YOURS_NOBODY', { id = id })
end
timer_set(prefix, member, now + timeout)
return { 'reminded' }
