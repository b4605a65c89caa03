-- briefing: the shift's opening briefing (the seeds' morning meeting with
-- its attendance check).  The lead gets it privately once the shift has
-- begun and they are checked in (the "brief" timer at start + late_grace,
-- or their check-in when it comes later); !briefing shows it again and
-- !briefing post puts it in the ops channel and records who was present,
-- for the day's report.  Its parts are spans (say) and plain lists, said in
-- each reader's language.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, op, rank, instances ("date|shift|pdate|pshift" list:
--         'show'/'post' those open for check-in or running, 'fire'/'checkin' the one),
--         local midnight today ms, local midnight tomorrow ms, then per op:
--   'show'                    -> {'ok', date, shift, lead name, body}
--   'post' note               -> {'posted', date, shift, present, rostered, missing names}
--     both also                  | {'not_lead', date, shift, lead name or ''} | {'no_shift'}
--   'fire' member next due    -> {'sent'} | {'waiting'} | {'no_lead'} | {'already'}
--   'checkin' due             -> the same, or {'not_yet'} before DUE (the timer sends it then)
-- briefing:<date>:<shift> {sent, by, ts, present, late, missing, rostered, note}
-- helpers: audit, say, say_inner, word, words, ROLE_RANK, notify_channel, notify_staff, staff_name,
--   timer_set, timer_done, roster_key, slot_of, att_key
local prefix, now, actor, src, op, rank = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local day_from, day_to = tonumber(ARGV[8]), tonumber(ARGV[9])

local insts = {}
for _, w in ipairs(words(ARGV[7])) do
  local d, s, pd, ps = string.match(w, '^([^|]+)|([^|]+)|([^|]*)|([^|]*)$')
  if d then insts[#insts + 1] = { date = d, shift = s, pdate = pd, pshift = ps } end
end

-- text typed by people, put between spans: no separators of spans in it
local function plain(s, max)
  s = string.gsub(s or '', '[\28\29\30\31]', ' ')
  if max and #s > max then s = string.sub(s, 1, max) .. '…' end
  return s
end

local function hhmm(ms)
  local m = math.floor((ms - day_from) / 60000)
  return string.format('%02d:%02d', math.floor(m / 60) % 24, m % 60)
end

-- Who of the roster is checked in (late or not) and who is missing, as ids.
local function attendance(inst)
  local r = redis.call('HMGET', roster_key(prefix, inst.date, inst.shift), 'lead', 'minister', 'agents')
  local ids, seen = {}, {}
  for _, id in ipairs({ r[1], r[2] }) do
    if id and id ~= '' and not seen[id] then ids[#ids + 1] = id; seen[id] = true end
  end
  for _, id in ipairs(words(r[3])) do
    if not seen[id] then ids[#ids + 1] = id; seen[id] = true end
  end
  local att = att_key(prefix, inst.date, inst.shift)
  local present, late, missing = {}, {}, {}
  for _, id in ipairs(ids) do
    local a = redis.call('HMGET', att, id .. ':in', id .. ':late')
    if a[1] then
      present[#present + 1] = id
      if a[2] == '1' then late[#late + 1] = id end
    else
      missing[#missing + 1] = id
    end
  end
  return { lead = r[1], minister = r[2], ids = ids, present = present, late = late, missing = missing }
end

local function names(ids)
  local t = {}
  for _, id in ipairs(ids) do t[#t + 1] = staff_name(prefix, id) end
  return table.concat(t, ', ')
end

-- The visits no agent has yet (visits.lua: state "queued"), oldest first:
-- "V-n <what the friend asked>".
local function visits_waiting()
  local items = {}
  for _, id in ipairs(redis.call('ZRANGE', prefix .. 'visits:open', 0, -1)) do
    local v = redis.call('HMGET', prefix .. 'visit:' .. id, 'state', 'text')
    if v[1] == 'queued' then items[#items + 1] = id .. ' ' .. plain(v[2] or '', 60) end
  end
  return items
end

local function body(inst, who)
  local lines = {}
  if #who.present > 0 then
    lines[#lines + 1] = say('MSG_BRIEFING_IN', { 'n', #who.present, 'names', names(who.present) })
  else
    lines[#lines + 1] = say('MSG_BRIEFING_NOBODY_IN')
  end
  if #who.late > 0 then lines[#lines + 1] = say('MSG_BRIEFING_LATE', { 'names', names(who.late) }) end
  if #who.missing > 0 then lines[#lines + 1] = say('MSG_BRIEFING_MISSING', { 'names', names(who.missing) }) end

  -- open items from the handover: the notes and the close of the shift before
  if inst.pdate ~= '' then
    local h = redis.call('HMGET', prefix .. 'handover:' .. inst.pdate .. ':' .. inst.pshift, 'by', 'text')
    local c = redis.call('HMGET', prefix .. 'close:' .. inst.pdate .. ':' .. inst.pshift, 'by', 'text')
    if h[2] and h[2] ~= '' then
      lines[#lines + 1] = say('MSG_BRIEFING_HANDOVER', { 'pshift', inst.pshift, 'pdate', inst.pdate,
        'by', staff_name(prefix, h[1] or '?'), 'notes', h[2] })
    end
    if c[2] and c[2] ~= '' then
      lines[#lines + 1] = say('MSG_BRIEFING_PREV_CLOSE', { 'pshift', inst.pshift, 'pdate', inst.pdate,
        'by', staff_name(prefix, c[1] or '?'), 'text', c[2] })
    end
    if not (h[2] and h[2] ~= '') and not (c[2] and c[2] ~= '') then
      lines[#lines + 1] = say('MSG_BRIEFING_NO_HANDOVER', { 'pshift', inst.pshift, 'pdate', inst.pdate })
    end
  end

  local open = 0
  local function list(msg, items, total)
    if #items == 0 then return end
    open = open + 1
    lines[#lines + 1] = say(msg, { 'n', total or #items }) .. ' ' .. table.concat(items, '; ')
  end
  local items = {}
  local ids = redis.call('ZRANGE', prefix .. 'approvals:open', 0, -1)
  for i = 1, math.min(#ids, 10) do
    -- a summary is spans already: it stands beside the head, not inside it
    items[#items + 1] = ids[i] .. ' ' .. (redis.call('HGET', prefix .. 'approval:' .. ids[i], 'summary') or '')
  end
  list('MSG_BRIEFING_APPROVALS', items, #ids)
  items = {}
  for _, id in ipairs(redis.call('ZRANGE', prefix .. 'emergencies:open', 0, 9)) do
    items[#items + 1] = id .. ' ' .. plain(redis.call('HGET', prefix .. 'emergency:' .. id, 'text'), 80)
  end
  list('MSG_BRIEFING_EMERGENCIES', items, redis.call('ZCARD', prefix .. 'emergencies:open'))
  items = {}
  for _, id in ipairs(redis.call('ZRANGE', prefix .. 'complaints:queue', 0, 19)) do
    items[#items + 1] = id .. ' (' .. word('PRIORITY', redis.call('HGET', prefix .. 'complaint:' .. id, 'priority')) .. ')'
  end
  list('MSG_BRIEFING_COMPLAINTS', items, redis.call('ZCARD', prefix .. 'complaints:queue'))
  list('MSG_BRIEFING_VISITS', visits_waiting())
  items = {}
  for _, id in ipairs(redis.call('ZRANGE', prefix .. 'notices', 0, -1)) do
    local n = redis.call('HMGET', prefix .. 'notice:' .. id, 'state', 'due', 'room', 'text')
    local due = tonumber(n[2] or '')
    if n[1] == 'scheduled' and due and due >= day_from and due < day_to then
      items[#items + 1] = id .. ' ' .. hhmm(due) .. ' ' .. plain(n[3]) .. ': ' .. plain(n[4], 60)
    end
  end
  list('MSG_BRIEFING_NOTICES', items)
  if open == 0 then lines[#lines + 1] = say('MSG_BRIEFING_NOTHING_OPEN') end
  return table.concat(lines, '\n')
end

local function params(inst, who)
  return { shift = inst.shift, date = inst.date, lead = who.lead and staff_name(prefix, who.lead) or say_inner('MSG_BRIEFING_NO_LEAD'),
    body = body(inst, who) }
end

-- Send the briefing to the lead when they are in; once per shift.
local function send(inst)
  local key = prefix .. 'briefing:' .. inst.date .. ':' .. inst.shift
  if redis.call('HEXISTS', key, 'sent') == 1 then return { 'already' } end
  local who = attendance(inst)
  if not who.lead then return { 'no_lead' } end
  if redis.call('HEXISTS', att_key(prefix, inst.date, inst.shift), who.lead .. ':in') == 0 then return { 'waiting' } end
  notify_staff(prefix, who.lead, 'MSG_BRIEFING_FOR_LEAD', params(inst, who))
  redis.call('HSET', key, 'sent', now)
  redis.call('PEXPIRE', key, 400 * 86400000)
  return { 'sent' }
end

if op == 'fire' then
  timer_done(prefix, ARGV[10])
  if ARGV[11] ~= '' then timer_set(prefix, ARGV[11], ARGV[12]) end
  if not insts[1] then return { 'no_lead' } end
  return send(insts[1])
end
if op == 'checkin' then
  -- a check-in before the timer's time leaves it to the timer; one after it sends it
  if not insts[1] or now < tonumber(ARGV[10]) then return { 'not_yet' } end
  return send(insts[1])
end

-- 'show' and 'post': the instance the caller leads (a minister: the first)
local pick
for i, inst in ipairs(insts) do
  if slot_of(prefix, inst.date, inst.shift, actor) == 'lead' or (rank >= ROLE_RANK.minister and i == 1) then
    pick = inst
    break
  end
end
if not pick then
  if not insts[1] then return { 'no_shift' } end
  local lead = redis.call('HGET', roster_key(prefix, insts[1].date, insts[1].shift), 'lead')
  return { 'not_lead', insts[1].date, insts[1].shift, lead and staff_name(prefix, lead) or '' }
end
local who = attendance(pick)
local p = params(pick, who)
if op == 'show' then
  return { 'ok', pick.date, pick.shift, p.lead, p.body }
end

-- 'post': to ops, and the attendance check as it stood
local note = ARGV[10] or ''
p.by = staff_name(prefix, actor)
p.note = note ~= '' and say('MSG_BRIEFING_NOTE', { 'note', note }) or ''
notify_channel(prefix, 'ops', 'MSG_BRIEFING_POSTED', p)
local key = prefix .. 'briefing:' .. pick.date .. ':' .. pick.shift
redis.call('HSET', key, 'by', actor, 'ts', now, 'present', table.concat(who.present, ' '),
  'late', table.concat(who.late, ' '), 'missing', table.concat(who.missing, ' '),
  'rostered', #who.ids, 'note', note)
redis.call('PEXPIRE', key, 400 * 86400000)
audit(prefix, now, actor, 'shift.briefing', pick.date .. ' ' .. pick.shift,
  #who.present .. '/' .. #who.ids .. ' present' .. (#who.missing > 0 and (', missing ' .. table.concat(who.missing, ' ')) or ''), src)
return { 'posted', pick.date, pick.shift, tostring(#who.present), tostring(#who.ids), names(who.missing) }
