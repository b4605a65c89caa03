-- swap_request: !swap <date> <shift> with <person> -> approval S-n: the
-- other person accepts, then a minister or webmaster approves.
-- !swap arrange <date> <shift> <from> <to> (a minister or webmaster, for two
-- others) -> approval S-n whose one step is the taker's accept.
-- Either way the request carries its effect as evidence, for whoever
-- decides: both people's rostered hours of the week before and after, and
-- whether the shift (and the one given in exchange) keeps a lead and someone
-- for every customer group.  A shift that runs already changes hands for
-- the rest of it (APPLY.swap).
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, date, shift, other, other's shifts to search (space list),
--         giver ('' = the actor), the shift's start ms, end ms, ISO week,
--         the week's shifts "date|shift|ms ..." (space list), customer groups "vip=PAM,...",
--         the shift's end "HH:MM" when it has started ('' before), stuck_after ms
-- returns {'ok', id, other shift, other slot} | {'not_yours'} | {'not_theirs', giver's name}
--         | {'no_such_person', id} | {'self'} | {'own'}
--         | {'already_there'} | {'may_not_hold', who, slot} | {'on_leave', who} | {'duplicate', id}
--         | {'uncompletable', step, who} | {'approved'|'failed', ...}
-- helpers: say, words, notify_staff, staff_name, slot_of, may_hold, on_leave,
--   approval_new, roster_key, LEVEL_RANK
local prefix, now, actor, src, date, shift, other, shifts, giver, start, stop, week, weekspec, groups =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11],
  ARGV[12], ARGV[13], ARGV[14]
local rest_until = ARGV[15]
local arranged = giver ~= '' and giver ~= actor
if not arranged then giver = actor end
if arranged then
  if other == actor then return { 'own' } end
  if redis.call('EXISTS', prefix .. 'staff:' .. giver) == 0 then return { 'no_such_person', giver } end
end
local slot = slot_of(prefix, date, shift, giver)
-- the one it was arranged for by name, as the minister reads people
if not slot then return { arranged and 'not_theirs' or 'not_yours', staff_name(prefix, giver) } end
if other == giver then return { 'self' } end
if redis.call('EXISTS', prefix .. 'staff:' .. other) == 0 then return { 'no_such_person', other } end
if slot_of(prefix, date, shift, other) then return { 'already_there' } end
if not may_hold(prefix, other, slot) then return { 'may_not_hold', other, slot } end
local other_shift, other_slot = '', ''
for _, s in ipairs(words(shifts)) do
  if s ~= shift then
    local os = slot_of(prefix, date, s, other)
    if os then other_shift, other_slot = s, os break end
  end
end
if other_slot ~= '' and not may_hold(prefix, giver, other_slot) then return { 'may_not_hold', giver, other_slot } end
if on_leave(prefix, other, date) then return { 'on_leave', other } end
for _, id in ipairs(redis.call('ZRANGE', prefix .. 'approvals:open', 0, -1)) do
  local a = redis.call('HMGET', prefix .. 'approval:' .. id, 'type', 'requester', 'shift', 'giver')
  local g = (a[4] and a[4] ~= '') and a[4] or a[2]
  if a[1] == 'swap' and g == giver and a[3] == date .. '|' .. shift then return { 'duplicate', id } end
end

-- ---- the effect, as evidence ----
local span_ms = {}
local function week_ms(id)
  local ms = 0
  for _, e in ipairs(words(weekspec)) do
    local d, s, m = string.match(e, '^([^|]+)|([^|]+)|(%d+)$')
    if d then
      span_ms[d .. '|' .. s] = tonumber(m)
      if slot_of(prefix, d, s, id) then ms = ms + tonumber(m) end
    end
  end
  return ms
end
local function hm(ms)
  local m = math.floor(ms / 60000)
  return string.format('%d:%02d', math.floor(m / 60), m % 60)
end
local g_before, o_before = week_ms(giver), week_ms(other)
local moved = span_ms[date .. '|' .. shift] or 0
local back = other_shift ~= '' and (span_ms[date .. '|' .. other_shift] or 0) or 0
local evidence = {}
if rest_until ~= '' then evidence[1] = say('MSG_SWAP_EVID_REST', { 'until', rest_until }) end
evidence[#evidence + 1] = say('MSG_SWAP_EVID_HOURS', { 'from', staff_name(prefix, giver), 'fa', hm(g_before),
  'fb', hm(g_before - moved + back), 'to', staff_name(prefix, other), 'ta', hm(o_before), 'tb', hm(o_before + moved - back) })
-- SHIFT_NAME after the swap: who leads it, and the customer groups nobody on it could serve
local function after(s, out_id, in_id)
  local r = redis.call('HMGET', roster_key(prefix, date, s), 'lead', 'minister', 'agents')
  local people = words(r[3])
  if r[1] then people[#people + 1] = r[1] end
  if r[2] then people[#people + 1] = r[2] end
  local best = 0
  for _, p in ipairs(people) do
    local id = (p == out_id) and in_id or p
    local lv = LEVEL_RANK[redis.call('HGET', prefix .. 'staff:' .. id, 'level') or ''] or 0
    if lv > best then best = lv end
  end
  local lead = r[1]
  if lead and lead == out_id then lead = in_id end
  local missing = {}
  for g, lv in string.gmatch(groups or '', '([%w_-]+)=(%u+)') do
    if best < (LEVEL_RANK[lv] or 0) then missing[#missing + 1] = g .. ' (' .. lv .. ')' end
  end
  if not lead then
    evidence[#evidence + 1] = say('MSG_SWAP_EVID_NO_LEAD', { 'shift', s, 'date', date })
  end
  if #missing > 0 then
    evidence[#evidence + 1] = say('MSG_SWAP_EVID_MISSING', { 'shift', s, 'date', date,
      'groups', table.concat(missing, ', ') })
  end
  if lead and #missing == 0 then
    evidence[#evidence + 1] = say('MSG_SWAP_EVID_COVERED', { 'shift', s, 'date', date })
  end
end
after(shift, giver, other)
if other_shift ~= '' then after(other_shift, other, giver) end

-- the other person is asked with MSG_SWAP_ASKED*, not the engine's announcement
local summary = say(other_shift ~= '' and 'MSG_SUM_SWAP_EXCHANGE' or 'MSG_SUM_SWAP',
  { 'from', staff_name(prefix, giver), 'shift', shift, 'date', date, 'to', staff_name(prefix, other),
    'theirs', other_shift })
local steps = { 'person:' .. other, 'role:minister' }
if arranged then steps = { 'person:' .. other } end
local digest = 'swap ' .. date .. ' ' .. shift .. ': ' .. giver .. ' -> ' .. other
local id, done = approval_new(prefix, now, src, 'S', 'swap', actor, steps,
  { date = date, shift = date .. '|' .. shift, shift_name = shift, slot = slot, other = other,
    other_shift = other_shift, other_slot = other_slot, summary = summary, quiet1 = '1',
    giver = giver, person = arranged and giver or nil, start = start, stop = stop, week = week,
    evidence = table.concat(evidence, '; '),
    digest = digest .. (arranged and (' (arranged by ' .. actor .. ')') or '') },
  arranged and 'swap.arrange' or 'swap.request', digest)
if done then return done end
local effect = table.concat(evidence, '; ')
if arranged then
  notify_staff(prefix, other, 'MSG_SWAP_ASKED_ARRANGED', { id = id, by = staff_name(prefix, actor),
    summary = summary, effect = effect })
  notify_staff(prefix, giver, 'MSG_SWAP_ARRANGED_GIVER', { id = id, by = staff_name(prefix, actor),
    summary = summary, to = staff_name(prefix, other) })
else
  notify_staff(prefix, other, 'MSG_SWAP_ASKED_EFFECT', { id = id, from = staff_name(prefix, actor),
    summary = summary, effect = effect })
end
return { 'ok', id, other_shift, other_slot }
