-- shift_close: the close of a shift (the seeds' end of day: what was done,
-- problems and lessons, the next shift's key work), written by its lead with
-- !close and kept in close:<date>:<shift> {by, text, ts, amended, missing = the
-- lead when the minister was told it is missing}; the next
-- lead gets it with the handover (at once when already checked in, else in
-- the briefing) and the day's report shows it.  The "close" timers ask the
-- lead near the end, remind them once at the end, and then tell the
-- minister on duty (every minister when the shift has none).
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, op, then per op:
--   'close'|'amend' rank text instances ("date|shift|next date|next shift" list: the running
--        ones, then those ended within close_before)
--        -> {'ok'|'amended', date, shift, next lead's name if sent now, else ''}
--           | {'already', date, shift, by name, ts} | {'not_lead', date, shift, lead name or ''}
--           | {'no_shift'}
--   'fire' member stage(ask|remind|tell|stale) date shift end "HH:MM" then (member, due) pairs
--        to add -> {'asked'|'reminded'|'told'|'stale'|'closed'|'no_lead'}
-- helpers: audit, words, ROLE_RANK, notify_staff, staff_with_role, staff_name, timer_set,
--   timer_done, roster_key, slot_of, att_key
local prefix, now, actor, src, op = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

local function close_key(date, shift)
  return prefix .. 'close:' .. date .. ':' .. shift
end

if op == 'fire' then
  local member, stage, date, shift, ends = ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
  timer_done(prefix, member)
  local closed = redis.call('HEXISTS', close_key(date, shift), 'text') == 1
  for i = 11, #ARGV - 1, 2 do
    -- the next shift's ask always; this shift's next step only while it is open
    if string.sub(ARGV[i], 1, #('close|' .. date .. '|' .. shift .. '|')) ~= 'close|' .. date .. '|' .. shift .. '|'
       or not closed then
      timer_set(prefix, ARGV[i], ARGV[i + 1])
    end
  end
  if closed then return { 'closed' } end
  if stage == 'stale' then return { 'stale' } end
  local r = redis.call('HMGET', roster_key(prefix, date, shift), 'lead', 'minister')
  if not r[1] then return { 'no_lead' } end
  local params = { shift = shift, date = date, ['end'] = ends, lead = staff_name(prefix, r[1]) }
  if stage == 'ask' then
    notify_staff(prefix, r[1], 'MSG_CLOSE_ASK', params)
    return { 'asked' }
  elseif stage == 'remind' then
    notify_staff(prefix, r[1], 'MSG_CLOSE_REMIND', params)
    return { 'reminded' }
  end
  local told = r[2] and { r[2] } or staff_with_role(prefix, 'minister')
  for _, id in ipairs(told) do notify_staff(prefix, id, 'MSG_CLOSE_MISSING', params) end
  redis.call('HSET', close_key(date, shift), 'missing', r[1])
  redis.call('PEXPIRE', close_key(date, shift), 400 * 86400000)
  audit(prefix, now, 'dutybot', 'shift.close_missing', date .. ' ' .. shift, r[1], 'timer')
  return { 'told' }
end

-- 'close' and 'amend'
local rank, text = tonumber(ARGV[6]), ARGV[7]
local list = words(ARGV[8])
for i, inst in ipairs(list) do
  local date, shift, ndate, nshift = string.match(inst, '^([^|]+)|([^|]+)|([^|]+)|([^|]+)$')
  if slot_of(prefix, date, shift, actor) == 'lead' or (rank >= ROLE_RANK.minister and i == 1) then
    local key = close_key(date, shift)
    local old = redis.call('HMGET', key, 'by', 'ts')
    if not redis.call('HGET', key, 'text') then old = { false, false } end
    if old[1] and op == 'close' then
      return { 'already', date, shift, staff_name(prefix, old[1]), old[2] }
    end
    redis.call('HSET', key, 'by', actor, 'text', text, 'ts', now)
    if old[1] then redis.call('HINCRBY', key, 'amended', 1) end
    redis.call('PEXPIRE', key, 400 * 86400000)
    audit(prefix, now, actor, old[1] and 'shift.close_amend' or 'shift.close', date .. ' ' .. shift,
      string.sub(text, 1, 80), src)
    -- a next lead already checked in has had the briefing: the close goes to them now
    local sent = ''
    local lead = redis.call('HGET', roster_key(prefix, ndate, nshift), 'lead')
    if lead and not (ndate == date and nshift == shift)
       and redis.call('HEXISTS', att_key(prefix, ndate, nshift), lead .. ':in') == 1 then
      notify_staff(prefix, lead, 'MSG_CLOSE_DELIVERY', { date = ndate, shift = nshift, pdate = date,
        pshift = shift, by = staff_name(prefix, actor), text = text })
      sent = staff_name(prefix, lead)
    end
    return { old[1] and 'amended' or 'ok', date, shift, sent }
  end
end
if #list == 0 then return { 'no_shift' } end
local date, shift = string.match(list[1], '^([^|]+)|([^|]+)|')
local lead = redis.call('HGET', roster_key(prefix, date, shift), 'lead')
return { 'not_lead', date, shift, lead and staff_name(prefix, lead) or '' }
