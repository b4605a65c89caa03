-- checkin: clock in to a shift the caller is rostered on and that is open
-- for check-in now.  A person is checked in to one shift at a time: checking
-- in to one closes an open interval on another (two shifts in a row).  A
-- check-in after a check-out of the same running shift opens a new interval
-- (back from a break).  Without a shift named, one about to start comes
-- before a running one; where that does not decide (two of a kind, or a
-- running shift checked out of by hand and the next about to start) the
-- caller is asked.  A lead's first check-in delivers the handover privately
-- and asks for its acknowledgement (handover_ack.lua).
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, wanted shift ('' = any), then every shift
--         instance around now: "date|shift|week|start ms|end ms|late after ms|
--         open for check-in 0|1|previous date|previous shift|previous end ms"
-- returns {'ok', date, shift, slot, late 0|1, 'first'|'again', closed "date shift"|'',
--         ms after the shift's start}
--         | {'already', date, shift, since ms} | {'which', "date|shift", ...}
--         | {'not_rostered'} | {'not_on', shift}
-- helpers: audit, word, notify_staff, staff_name, timer_set, slot_of, att_key, close_span
local prefix, now, actor, src, want = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local insts, cands = {}, {}
for i = 6, #ARGV do
  local d, s, wk, st, en, la, op, pd, ps, pe = string.match(ARGV[i],
    '^([^|]+)|([^|]+)|([^|]+)|([^|]+)|([^|]+)|([^|]+)|([01])|([^|]*)|([^|]*)|([^|]*)$')
  local inst = { date = d, shift = s, week = wk, start = tonumber(st), stop = tonumber(en),
    late_after = tonumber(la), pdate = pd, pshift = ps, pend = tonumber(pe) or 0 }
  insts[#insts + 1] = inst
  if op == '1' and (want == '' or want == s) then
    inst.slot = slot_of(prefix, d, s, actor)
    if inst.slot then
      local a = redis.call('HMGET', att_key(prefix, d, s), actor .. ':in', actor .. ':out')
      inst.state = (not a[1] and 'new') or (a[2] and 'out') or 'in'
      inst.since = a[1]
      cands[#cands + 1] = inst
    end
  end
end
if #cands == 0 then
  if want ~= '' then return { 'not_on', want } end
  return { 'not_rostered' }
end

local function which(list)
  local out = { 'which' }
  for _, c in ipairs(list) do out[#out + 1] = c.date .. '|' .. c.shift end
  return out
end

local pick
if #cands == 1 then
  pick = cands[1]
else
  local coming, running = {}, {}
  for _, c in ipairs(cands) do
    if c.start > now then coming[#coming + 1] = c else running[#running + 1] = c end
  end
  if #coming > 1 then return which(coming) end
  if #coming == 1 then
    pick = coming[1]
    if pick.state ~= 'in' then
      for _, r in ipairs(running) do
        if r.state == 'out' then return which(cands) end     -- back from a break, or the next one?
      end
    end
  else
    for _, r in ipairs(running) do
      if r.state == 'in' then pick = r end
    end
    if not pick then return which(running) end
  end
end
if pick.state == 'in' then return { 'already', pick.date, pick.shift, pick.since } end

-- one shift at a time: an open interval elsewhere ends now
local closed = ''
for _, inst in ipairs(insts) do
  if not (inst.date == pick.date and inst.shift == pick.shift)
     and close_span(prefix, inst.date, inst.shift, inst.week, actor, now, '') then
    closed = inst.date .. ' ' .. inst.shift
    audit(prefix, now, actor, 'shift.checkout', actor, closed .. ' (checked in to ' .. pick.shift .. ')', src)
  end
end

local date, shift, slot = pick.date, pick.shift, pick.slot
local att = att_key(prefix, date, shift)
local late = 0
if pick.state == 'new' then
  late = now > pick.late_after and 1 or 0
  redis.call('HSET', att, actor .. ':in', ARGV[2], actor .. ':late', late)
  if late == 1 then
    redis.call('HINCRBY', prefix .. 'latecount:' .. pick.week, actor, 1)
    redis.call('HINCRBY', prefix .. 'staff:' .. actor, 'late_total', 1)
  end
  audit(prefix, now, actor, 'shift.checkin', actor, date .. ' ' .. shift .. (late == 1 and ' late' or ''), src)
else
  redis.call('HSET', att, actor .. ':in', ARGV[2])
  redis.call('HDEL', att, actor .. ':out')
  audit(prefix, now, actor, 'shift.checkin', actor, date .. ' ' .. shift .. ' again', src)
end
redis.call('PEXPIRE', att, 400 * 86400000)
-- whoever is still checked in at the end is checked out then
timer_set(prefix, 'checkout|' .. date .. '|' .. shift, string.format('%d', pick.stop))

if slot == 'lead' and pick.state == 'new' then
  local pdate, pshift = pick.pdate, pick.pshift
  local h = redis.call('HMGET', prefix .. 'handover:' .. pdate .. ':' .. pshift, 'by', 'text')
  local pending = {}
  for _, id in ipairs(redis.call('ZRANGE', prefix .. 'approvals:open', 0, -1)) do
    local a = redis.call('HMGET', prefix .. 'approval:' .. id, 'shift', 'summary')
    if a[1] == date .. '|' .. shift then pending[#pending + 1] = id .. ' ' .. (a[2] or '') end
  end
  -- the notes handed to this shift (one short line when there are none),
  -- then only what is open: nothing is sent as a row of dashes
  if h[2] and h[2] ~= '' then
    notify_staff(prefix, actor, 'MSG_HANDOVER_DELIVERY', { date = date, shift = shift, pdate = pdate,
      pshift = pshift, by = h[1] and staff_name(prefix, h[1]) or '?', notes = h[2] })
    local ack = redis.call('HMGET', prefix .. 'handack:' .. date .. ':' .. shift, 'out', 'acked_by')
    if ack[1] and not ack[2] then
      notify_staff(prefix, actor, 'MSG_HANDOVER_ACK_ASK', { pdate = pdate, pshift = pshift,
        out = staff_name(prefix, ack[1]) })
    end
  elseif now < pick.pend then
    -- the previous shift still runs: its lead may write them yet (handover_set sends them then)
    notify_staff(prefix, actor, 'MSG_HANDOVER_NOT_YET', { pdate = pdate, pshift = pshift })
  else
    notify_staff(prefix, actor, 'MSG_HANDOVER_NO_NOTES', { pdate = pdate, pshift = pshift })
  end
  -- the close of the shift before (shift_close.lua): its key work is part of the handover
  local c = redis.call('HMGET', prefix .. 'close:' .. pdate .. ':' .. pshift, 'by', 'text')
  if c[2] then
    notify_staff(prefix, actor, 'MSG_CLOSE_DELIVERY', { date = date, shift = shift, pdate = pdate,
      pshift = pshift, by = staff_name(prefix, c[1] or '?'), text = c[2] })
  end
  if #pending > 0 then
    notify_staff(prefix, actor, 'MSG_HANDOVER_PENDING', { approvals = table.concat(pending, '; ') })
  end
  local em, tech = {}, {}
  for _, id in ipairs(redis.call('ZRANGE', prefix .. 'emergencies:open', 0, -1)) do
    em[#em + 1] = id .. ' ' .. (redis.call('HGET', prefix .. 'emergency:' .. id, 'text') or '')
  end
  for _, id in ipairs(redis.call('ZRANGE', prefix .. 'tech:open', 0, -1)) do
    tech[#tech + 1] = id .. ' ' .. (redis.call('HGET', prefix .. 'tech:' .. id, 'text') or '')
  end
  if #em > 0 and #tech > 0 then
    notify_staff(prefix, actor, 'MSG_HANDOVER_OPEN_ITEMS', {
      emergencies = table.concat(em, '; '), tech = table.concat(tech, '; ') })
  elseif #em > 0 then
    notify_staff(prefix, actor, 'MSG_HANDOVER_OPEN_EMERGENCIES', { emergencies = table.concat(em, '; ') })
  elseif #tech > 0 then
    notify_staff(prefix, actor, 'MSG_HANDOVER_OPEN_TECH', { tech = table.concat(tech, '; ') })
  end
  -- open complaints: "C-1 (normal)" waiting in the queue, "C-2 (high, Mia Keller [CCS])" taken
  -- (the priority is the keyword people type, like a shift's name)
  local queued, taken = {}, {}
  for _, id in ipairs(redis.call('ZRANGE', prefix .. 'complaints:queue', 0, 19)) do
    local c = redis.call('HMGET', prefix .. 'complaint:' .. id, 'priority')
    queued[#queued + 1] = id .. ' (' .. word('PRIORITY', c[1]) .. ')'
  end
  for _, id in ipairs(redis.call('ZRANGE', prefix .. 'complaints:open', 0, 19)) do
    local c = redis.call('HMGET', prefix .. 'complaint:' .. id, 'priority', 'agent')
    taken[#taken + 1] = id .. ' (' .. word('PRIORITY', c[1]) .. (c[2] and c[2] ~= '' and (', ' .. staff_name(prefix, c[2])) or '') .. ')'
  end
  if #queued > 0 then
    notify_staff(prefix, actor, 'MSG_HANDOVER_COMPLAINTS_QUEUED', { list = table.concat(queued, ', ') })
  end
  if #taken > 0 then
    notify_staff(prefix, actor, 'MSG_HANDOVER_COMPLAINTS_TAKEN', { list = table.concat(taken, ', ') })
  end
end
return { 'ok', date, shift, slot, tostring(late), pick.state == 'new' and 'first' or 'again', closed,
  string.format('%d', now - pick.start) }
