-- _3approvals: the one approval engine.  An approval is the hash
-- approval:<ID> {type, state = open|approved|denied|failed|cancelled,
-- requester, created, step, stepsince, nsteps, who<N>, need<N>, signed<N>,
-- by<N>, at<N>, note<N>, score<N>, reason, reason_text, evidence, ...type
-- fields}; approvals:open is the index of the open ones by creation time.
-- A request's denied_msg (a catalog id) is what its requester is told when
-- it is denied, instead of MSG_APPROVAL_DENIED (same parameters).
-- who<N> is 'person:<id>' (that person decides), 'advice:<id>' (that
-- person's opinion, recorded either way) or 'role:<role>' (anyone of that
-- role or above).  need<N> = 'score' makes a step an evaluation: it takes a
-- score, never a bare approve, and is never signed by the request.
-- The rules, for any department down to one webmaster and one minister:
--  * a step the requester's own role satisfies is signed by the request
--    (signed<N> = 1, by<N> = the requester), at once when it is made;
--  * nobody decides two steps, and neither the requester nor the person the
--    request is about decides one (an opinion is not a decision);
--  * a chain the staff cannot complete under those rules is refused when it
--    is asked, naming the step; a decision that would leave a later step
--    without anyone is refused too;
--  * the requester or a webmaster may cancel an open request;
--  * a step that waits longer than approvals.stuck_after is reported to the
--    webmasters once (the durable timer 'stuck|<ID>').
-- Scripts that open or advance approvals end their ARGV with
-- approvals.stuck_after in ms (0: never reported).
-- The last approval applies the request with its type's APPLY function, in
-- the same atomic step; if that is no longer possible the approval fails and
-- says why.

local function approval_key(prefix, id) return prefix .. 'approval:' .. id end

-- The same words for the audit log when a request gave no plain DIGEST: the span's values.
local function said_plain(s)
  -- inner spans first: a decimal as written in English, a keyword as typed
  s = string.gsub(s or '', '\28([^\28]*)\28', function(span)
    local parts = {}
    for part in string.gmatch(span .. '\29', '([^\29]*)\29') do parts[#parts + 1] = part end
    if parts[1] == 'MSG_DECIMAL' then return (parts[3] or '') .. '.' .. (parts[5] or '') end
    if #parts == 1 then return string.lower(string.match(parts[1], '_([A-Z]+)$') or '') end
    local vals = {}
    for i = 3, #parts, 2 do vals[#vals + 1] = parts[i] end
    return table.concat(vals, ' ')
  end)
  return (string.gsub(s, '\30([^\30]*)\30', function(span)
    local parts, vals = {}, {}
    for part in string.gmatch(span .. '\31', '([^\31]*)\31') do parts[#parts + 1] = part end
    for i = 3, #parts, 2 do vals[#vals + 1] = parts[i] end
    return table.concat(vals, ' ')
  end))
end

-- "2026-12-10" for one day, "2026-12-10..2026-12-12" for more (DATES a space list).
local function date_span(dates)
  local d = words(dates)
  if #d <= 1 then return d[1] or '' end
  return d[1] .. '..' .. d[#d]
end

local function approval_fields(prefix, id)
  return hash_table(approval_key(prefix, id))
end

local function stuck_ms() return tonumber(ARGV[#ARGV]) or 0 end

-- (Re)arms the report of a step that waits too long; once per waiting step.
-- The due time is kept as 'stuckdue': a report of the step before, already
-- claimed when this one was armed, finds it later than now and leaves it.
local function stuck_arm(prefix, now, id)
  local ms = stuck_ms()
  local key = approval_key(prefix, id)
  if ms > 0 then
    timer_set(prefix, 'stuck|' .. id, tonumber(now) + ms)
    redis.call('HSET', key, 'stuckdue', tonumber(now) + ms)
  else
    redis.call('HDEL', key, 'stuckdue')
  end
  redis.call('HSET', key, 'stepsince', now)
end

-- Every staff member's role rank, read once per call.
local function staff_ranks(prefix)
  local t = {}
  for _, id in ipairs(redis.call('SMEMBERS', prefix .. 'staff')) do
    t[id] = ROLE_RANK[redis.call('HGET', prefix .. 'staff:' .. id, 'role') or ''] or 0
  end
  return t
end

-- Could PERSON (of RANKS) decide a step WHO, rules about people aside?
local function step_fits(ranks, who, person)
  local kind, val = string.match(who or '', '^(%a+):(.+)$')
  if kind == 'person' or kind == 'advice' then return person == val end
  if kind == 'role' then return (ranks[person] or -1) >= (ROLE_RANK[val] or 99) end
  return false
end

local function is_advice(a, i) return string.match(a['who' .. i] or '', '^advice:') ~= nil end

-- Those who may decide no further step of A: the requester, the person the
-- request is about, and whoever decided a step before FROM (not an opinion).
local function used_people(a, from)
  local used = { [a.requester] = true }
  if a.person and a.person ~= '' then used[a.person] = true end
  for i = 1, from - 1 do
    if a['by' .. i] and not is_advice(a, i) then used[a['by' .. i]] = true end
  end
  return used
end

-- Can every step from FROM on that is not signed (opinions aside) get a
-- different person of RANKS, none of USED?  nil, or the first step nobody
-- is left for (a matching, so the order people decide in does not matter).
local function unmatched_step(a, ranks, from, used)
  local todo, owner = {}, {}
  for i = from, tonumber(a.nsteps) do
    if a['signed' .. i] ~= '1' and not is_advice(a, i) then todo[#todo + 1] = i end
  end
  local function try(k, seen)
    for p in pairs(ranks) do
      if not used[p] and not seen[p] and step_fits(ranks, a['who' .. todo[k]], p) then
        seen[p] = true
        if not owner[p] or try(owner[p], seen) then
          owner[p] = k
          return true
        end
      end
    end
    return false
  end
  for k = 1, #todo do
    if not try(k, {}) then return todo[k] end
  end
  return nil
end

-- May ACTOR (with role rank RANK) decide the current step of A (a field table)?
local function may_decide(a, actor, rank)
  local who = a['who' .. a.step] or ''
  local kind, val = string.match(who, '^(%a+):(.+)$')
  if kind == 'person' or kind == 'advice' then return val == actor end
  if kind == 'role' then return tonumber(rank) >= (ROLE_RANK[val] or 99) end
  return false
end

-- The private "waits for your answer" to one person: the reason only when
-- the summary does not say it already, the evidence only when there is some.
-- S without the sentence end it brings: the message puts its own after it
-- ("Reason: I learned a lot.." otherwise).
local function no_final_stop(s)
  s = string.gsub(s, '[%.!?]+$', '')
  for _, e in ipairs({ '\227\128\130', '\239\188\129', '\239\188\159' }) do    -- 。！？
    while #s > #e and string.sub(s, -#e) == e do s = string.sub(s, 1, -#e - 1) end
  end
  return s
end

local function ask_privately(prefix, a, p)
  local reason, evidence = a.reason_text or '', a.evidence or ''
  local sum = a.summary or ''
  if reason ~= '' and (string.find(sum, '\31' .. reason .. '\31', 1, true) or
      string.find(sum, '\31' .. reason .. '\30', 1, true) or sum == reason) then
    reason = ''       -- one of the summary's words already
  end
  reason, evidence = no_final_stop(reason), no_final_stop(evidence)
  local msg = 'MSG_APPROVAL_ASKS_YOU_PLAIN'
  if reason ~= '' and evidence ~= '' then msg = 'MSG_APPROVAL_ASKS_YOU'
  elseif reason ~= '' then msg = 'MSG_APPROVAL_ASKS_YOU_REASON'
  elseif evidence ~= '' then msg = 'MSG_APPROVAL_ASKS_YOU_EVIDENCE' end
  return notify_staff(prefix, p, msg, { id = a.id, summary = a.summary or '',
    from = staff_name(prefix, a.requester), reason = reason, evidence = evidence })
end

-- Tell whoever decides the current step that it waits for them: a person
-- named by the step privately; a role step in the ops room (without the
-- reason, and in the words of ops_summary when the request has one: what a
-- room may read of it) and privately to the people of the step's own role (the lowest
-- that may decide; those above see it in !pending and may decide too); when
-- that role has nobody who may, the next role up.
local function announce_step(prefix, a)
  local who = a['who' .. a.step]
  local kind, val = string.match(who, '^(%a+):(.+)$')
  if a['quiet' .. a.step] == '1' then return end     -- the request asked them its own way
  if kind == 'person' or kind == 'advice' then
    ask_privately(prefix, a, val)
    return
  end
  notify_channel(prefix, 'ops', 'MSG_APPROVAL_WAITS',
    { id = a.id, summary = a.ops_summary or a.summary or '', role = 'MSG_ROLE_' .. string.upper(val) })
  local ranks, used = staff_ranks(prefix), used_people(a, tonumber(a.step))
  for rank = ROLE_RANK[val] or 99, ROLE_RANK.webmaster do
    local ids, told = {}, 0
    for p, r in pairs(ranks) do
      if r == rank and not used[p] then ids[#ids + 1] = p end
    end
    table.sort(ids)
    for _, p in ipairs(ids) do
      if ask_privately(prefix, a, p) then told = told + 1 end
    end
    if told > 0 then return end
  end
end

-- The one who gives the shift: the requester, or whom a minister arranged it for.
local function swap_giver(a)
  if a.giver and a.giver ~= '' then return a.giver end
  return a.requester
end

-- The one place a swap changes the roster (apply and undo): the giver's SLOT
-- on DATE SHIFT_NAME goes to OTHER and, in an exchange, OTHER's OTHER_SLOT on
-- OTHER_SHIFT to the giver.  BACK puts everyone where they were.  Both get
-- the change in their change log (roster_changed); an applied swap tells
-- them privately too (an undo's own message does) and counts for !fairness.
local function swap_move(prefix, a, back)
  local giver, other = swap_giver(a), a.other
  if back then giver, other = other, giver end
  take_out(prefix, a.date, a.shift_name, a.slot, giver)
  if (a.other_shift or '') ~= '' then
    take_out(prefix, a.date, a.other_shift, a.other_slot, other)
    put_in(prefix, a.date, a.other_shift, a.other_slot, giver)
  end
  put_in(prefix, a.date, a.shift_name, a.slot, other)
  local why = say_inner('MSG_CHANGE_WHY_SWAP', { 'id', a.id })
  local g, o = { { 'off', a.date, a.shift_name, a.slot } }, { { 'on', a.date, a.shift_name, a.slot } }
  if (a.other_shift or '') ~= '' then
    g[2] = { 'on', a.date, a.other_shift, a.other_slot }
    o[2] = { 'off', a.date, a.other_shift, a.other_slot }
  end
  roster_changed(prefix, a.now, giver, g, why, back)
  roster_changed(prefix, a.now, other, o, why, back)
  -- counted per person and month of the shift for !fairness (fairness.lua); an undo takes it back
  local month = prefix .. 'swaps:' .. string.sub(a.date, 1, 7)
  redis.call('HINCRBY', month, giver, back and -1 or 1)
  redis.call('HINCRBY', month, other, back and -1 or 1)
  redis.call('PEXPIRE', month, 400 * 86400000)
end

-- Who could fill SLOT on DATE freed by leave A: of the slot's usual role
-- (a lead a vice minister, the minister on duty a minister, an agent an
-- agent), not the requester, not on leave, on no shift that day and not
-- suggested for another gap of it (TAKEN[id]); the one with the fewest hours
-- on the roster that week (fewest_hours_first), and those hours; nil when
-- nobody is free.
local STAND_IN_ROLE = { lead = 'vice_minister', minister = 'minister', agent = 'agent' }
local function leave_stand_in(prefix, a, date, slot, taken)
  local free = {}
  for _, id in ipairs(staff_with_role(prefix, STAND_IN_ROLE[slot])) do
    local busy = id == a.requester or taken[id] or on_leave(prefix, id, date)
    for _, s in ipairs(words(a.shifts)) do
      if not busy and slot_of(prefix, date, s, id) then busy = true end
    end
    if not busy then free[#free + 1] = id end
  end
  if #free == 0 then return nil end
  local order, hours = fewest_hours_first(prefix, free, date, a.shift_ms)
  return order[1], hours[order[1]] or 0
end

local APPLY = {}

-- swap: the giver's SLOT on DATE SHIFT goes to OTHER; if OTHER held
-- OTHER_SLOT on DATE OTHER_SHIFT, the giver takes that in exchange.  A
-- shift that is running already changes hands for the rest of it: the
-- giver's open check-in there ends now (their hours stop, the taker checks in).
APPLY.swap = function(prefix, a)
  local giver = swap_giver(a)
  if a.stop and tonumber(a.now) >= tonumber(a.stop) then return 'MSG_SWAP_SHIFT_OVER' end
  if slot_of(prefix, a.date, a.shift_name, giver) ~= a.slot then
    return 'MSG_SWAP_CHANGED_YOURS'
  end
  if a.other_shift ~= '' and slot_of(prefix, a.date, a.other_shift, a.other) ~= a.other_slot then
    return 'MSG_SWAP_CHANGED_THEIRS'
  end
  if slot_of(prefix, a.date, a.shift_name, a.other) then return 'MSG_SWAP_ALREADY_THERE' end
  if on_leave(prefix, a.other, a.date) or on_leave(prefix, giver, a.date) then
    return 'MSG_SWAP_ON_LEAVE'
  end
  swap_move(prefix, a, false)
  if a.start and a.week and tonumber(a.now) >= tonumber(a.start) then
    close_span(prefix, a.date, a.shift_name, a.week, giver, tonumber(a.now), '')
  end
  return nil
end

-- leave: the requester is off from FROM to TO (DATES, space separated);
-- every slot they held on those days is freed and the gap reported, with
-- the one free to fill it who has the fewest hours on the roster that week.
APPLY.leave = function(prefix, a)
  local gaps, freed = {}, {}
  for _, date in ipairs(words(a.dates)) do
    redis.call('SADD', prefix .. 'onleave:' .. a.requester, date)
    local taken = {}
    for _, shift in ipairs(words(a.shifts)) do
      local slot = slot_of(prefix, date, shift, a.requester)
      if slot then
        take_out(prefix, date, shift, slot, a.requester)
        freed[#freed + 1] = { 'off', date, shift, slot }
        local pick, hours = leave_stand_in(prefix, a, date, slot, taken)
        if pick then taken[pick] = true end
        gaps[#gaps + 1] = pick and say_inner('MSG_ROSTER_GAP_SUGGEST', { 'date', date, 'shift', shift,
          'slot', 'MSG_ROSTER_SLOT_' .. string.upper(slot), 'who', staff_name(prefix, pick), 'hours', hhmm_of(hours) })
          or gap_said(date, shift, slot)
      end
    end
  end
  roster_changed(prefix, a.now, a.requester, freed, say_inner('MSG_CHANGE_WHY_LEAVE', { 'id', a.id }))
  a.gaps = table.concat(gaps, ', ')
  redis.call('HSET', approval_key(prefix, a.id), 'gaps', a.gaps)
  return nil
end

-- excuse: EXCUSED's hours in WEEK need not reach the minimum.
APPLY.excuse = function(prefix, a)
  redis.call('HSET', prefix .. 'excused:' .. a.week, a.excused, a.reason_text or '')
  return nil
end

-- promotion: PERSON's level becomes LEVEL.
APPLY.promotion = function(prefix, a)
  local key = prefix .. 'staff:' .. a.person
  local r = redis.call('HMGET', key, 'name', 'level')
  if not r[1] then return 'MSG_PROMOTION_GONE' end
  if r[2] ~= a.from_level then return 'MSG_PROMOTION_LEVEL_CHANGED' end
  redis.call('HSET', key, 'level', a.level)
  a.person_msg, a.person_level = 'MSG_PROMOTION_DONE_YOU', a.level   -- one message: approved and the new level
  return nil
end

-- probation: the requester is permanent staff from now on.
APPLY.probation = function(prefix, a)
  redis.call('HSET', prefix .. 'staff:' .. a.requester, 'permanent', a.id)
  return nil
end

-- internship: an intern recommended early becomes CCS.
APPLY.internship = function(prefix, a)
  local key = prefix .. 'staff:' .. a.person
  if redis.call('HGET', key, 'level') ~= 'TRN' then return 'MSG_PROMOTION_LEVEL_CHANGED' end
  redis.call('HSET', key, 'level', 'CCS')
  a.person_msg, a.person_level = 'MSG_PROMOTION_DONE_YOU', 'CCS'
  return nil
end

-- intern_start: the candidate, forwarded by the running shift's lead, is an
-- intern from now on (the start date the internship's figures count from).
APPLY.intern_start = function(prefix, a, now)
  local key = prefix .. 'staff:' .. a.person
  if redis.call('HGET', key, 'level') ~= 'TRN' then return 'MSG_PROMOTION_LEVEL_CHANGED' end
  redis.call('HSET', key, 'intern_start', now)
  a.person_msg, a.person_level = 'MSG_INTERN_STARTED_YOU', 'TRN'
  return nil
end

-- intern_summary: the webmaster approved the intern's summary; the defense may follow.
APPLY.intern_summary = function(prefix, a)
  redis.call('HSET', prefix .. 'intern:' .. a.person, 'summary', a.text or '', 'summary_id', a.id)
  return nil
end

-- training: hours an intern logged count once someone who trains confirms them.
APPLY.training = function(prefix, a)
  redis.call('HINCRBY', prefix .. 'intern:' .. a.person, 'tenths', tonumber(a.tenths))
  return nil
end

-- talk: a talk with the designated person counts once they confirm it.
APPLY.talk = function(prefix, a)
  redis.call('HINCRBY', prefix .. 'intern:' .. a.person, 'talks', 1)
  return nil
end

local function close_approval(prefix, a, state)
  redis.call('HSET', approval_key(prefix, a.id), 'state', state)
  redis.call('ZREM', prefix .. 'approvals:open', a.id)
  timer_done(prefix, 'stuck|' .. a.id)
end

-- The first step from FROM on that is not signed by the request, or nil.
local function next_open_step(a, from)
  for i = from, tonumber(a.nsteps) do
    if a['signed' .. i] ~= '1' then return i end
  end
  return nil
end

-- Every step is decided: apply the request and tell everyone concerned.
local function approval_finish(prefix, now, actor, src, a)
  local key = approval_key(prefix, a.id)
  local params = { id = a.id, summary = a.summary or '', by = staff_name(prefix, actor) }
  local failure = 'MSG_APPROVAL_UNKNOWN_TYPE'
  a.now = now          -- for roster_changed: when a change was made
  if APPLY[a.type] then failure = APPLY[a.type](prefix, a, now) end
  if failure then
    redis.call('HSET', key, 'reason', failure)
    close_approval(prefix, a, 'failed')
    audit(prefix, now, actor, 'approval.fail', a.id, failure, src)
    params.why = failure
    if a.requester ~= actor then notify_staff(prefix, a.requester, 'MSG_APPROVAL_FAILED_NOTICE', params) end
    return { 'failed', a.id, a.summary or '', failure }
  end
  close_approval(prefix, a, 'approved')
  audit(prefix, now, actor, 'approval.approve', a.id, a.digest or said_plain(a.summary), src)
  if a.requester ~= actor then notify_staff(prefix, a.requester, 'MSG_APPROVAL_APPROVED', params) end
  if a.person and a.person ~= a.requester then
    if a.person_msg then
      notify_staff(prefix, a.person, a.person_msg, { id = a.id, by = params.by, level = a.person_level })
    else
      notify_staff(prefix, a.person, 'MSG_APPROVAL_APPROVED', params)
    end
  end
  local ops = ''         -- '1': ops read the outcome, the approver's answer need not repeat it
  if a.type == 'swap' then
    if a.other ~= actor then notify_staff(prefix, a.other, 'MSG_APPROVAL_APPROVED', params) end
    notify_channel(prefix, 'ops', 'MSG_SWAP_DONE_OPS', params)
    ops = '1'
  elseif a.type == 'leave' then
    params.gaps = a.gaps or ''
    notify_channel(prefix, 'ops', (params.gaps ~= '' and 'MSG_LEAVE_GAP_OPS') or 'MSG_LEAVE_NO_GAP_OPS', params)
    ops = '1'
  end
  return { 'approved', a.id, a.summary or '', a.gaps or '', ops }
end

-- A new approval ID ('S', 'L', 'X', ...) of TYP for REQUESTER with STEPS =
-- {who, {who = who, need = 'score'}, ...}, audited as ACTION with DETAIL.
-- Returns the ID and nil when it waits for its first decision, or nil and
-- a reply table: {'uncompletable', step, who} (nothing was made) or what
-- approval_finish answers when the request signed every step itself.
local function approval_new(prefix, now, src, letter, typ, requester, steps, fields, action, detail)
  local ranks = staff_ranks(prefix)
  local rank = ranks[requester] or 0
  local a = { type = typ, requester = requester, person = fields.person, nsteps = #steps }
  for i, s in ipairs(steps) do
    local who, need = s, nil
    if type(s) == 'table' then who, need = s.who, s.need end
    a['who' .. i] = who
    a['need' .. i] = need
    local kind, val = string.match(who, '^(%a+):(.+)$')
    if kind == 'role' and not need and rank >= (ROLE_RANK[val] or 99) then a['signed' .. i] = '1' end
  end
  local bad = unmatched_step(a, ranks, 1, used_people(a, 1))
  if bad then return nil, { 'uncompletable', tostring(bad), a['who' .. bad] } end
  local id = letter .. '-' .. redis.call('INCR', prefix .. 'seq:' .. letter)
  local key = approval_key(prefix, id)
  a.id = id
  redis.call('HSET', key, 'id', id, 'type', typ, 'state', 'open', 'requester', requester,
    'created', now, 'step', 1, 'nsteps', #steps)
  for i = 1, #steps do
    redis.call('HSET', key, 'who' .. i, a['who' .. i])
    if a['need' .. i] then redis.call('HSET', key, 'need' .. i, a['need' .. i]) end
  end
  for k, v in pairs(fields) do
    redis.call('HSET', key, k, v)
    a[k] = v
  end
  redis.call('ZADD', prefix .. 'approvals:open', now, id)
  audit(prefix, now, requester, action, id, detail, src)
  local role = redis.call('HGET', prefix .. 'staff:' .. requester, 'role') or ''
  for i = 1, #steps do
    if a['signed' .. i] == '1' then
      redis.call('HSET', key, 'signed' .. i, '1', 'by' .. i, requester, 'at' .. i, now)
      a['by' .. i] = requester
      audit(prefix, now, requester, 'approval.sign', id, 'step ' .. i .. ' signed by the request: ' ..
        staff_name(prefix, requester) .. ' is ' .. role, src)
    end
  end
  local step = next_open_step(a, 1)
  if not step then return nil, approval_finish(prefix, now, requester, src, a) end
  a.step = step
  redis.call('HSET', key, 'step', step)
  stuck_arm(prefix, now, id)
  announce_step(prefix, a)
  return id, nil
end

-- Decide the current step.  Returns a reply table for the handler:
-- {'not_found'} {'closed', state} {'own'} {'twice'} {'not_yours', who}
-- {'needs_score', step} {'needed_later', step, who}
-- {'denied', id, summary} {'advanced', id, summary, next who}
-- {'approved', id, summary, extra} {'failed', id, summary, message id}
local function approval_decide(prefix, now, actor, rank, src, id, verdict, reason, score)
  local a = approval_fields(prefix, id)
  if not a then return { 'not_found' } end
  if a.state ~= 'open' then return { 'closed', a.state } end
  a.step = tonumber(a.step)
  if a.requester == actor then return { 'own' } end
  local advice = is_advice(a, a.step)
  if not advice and used_people(a, a.step)[actor] then
    if a.person == actor then return { 'own' } end
    return { 'twice' }
  end
  if not may_decide(a, actor, rank) then return { 'not_yours', a['who' .. a.step] } end
  if verdict ~= 'deny' and a['need' .. a.step] == 'score' and (score or '') == '' then
    return { 'needs_score', tostring(a.step) }
  end
  if verdict ~= 'deny' and not advice then
    local used = used_people(a, a.step)
    used[actor] = true
    local bad = unmatched_step(a, staff_ranks(prefix), a.step + 1, used)
    if bad then return { 'needed_later', tostring(bad), a['who' .. bad] } end
  end
  local key = approval_key(prefix, id)
  redis.call('HSET', key, 'by' .. a.step, actor, 'at' .. a.step, now)
  a['by' .. a.step] = actor
  if reason and reason ~= '' then redis.call('HSET', key, 'note' .. a.step, reason) end
  -- an opinion asked for is recorded either way and never decides on its own
  if advice then
    verdict = 'approve'
    local said = staff_name(prefix, actor) .. ': ' .. (reason ~= '' and reason or 'agrees')
    redis.call('HSET', key, 'opinion', (a.opinion or '') .. said .. '; ')
    a.evidence = ((a.evidence or '') ~= '' and (a.evidence .. '; ') or '') .. say('MSG_EVID_OPINION',
      { 'person', staff_name(prefix, actor), 'opinion', reason ~= '' and reason or 'MSG_EVID_AGREES' })
    redis.call('HSET', key, 'evidence', a.evidence)
  elseif verdict ~= 'deny' and a['need' .. a.step] == 'score' then
    -- "score 4: reliable" in each reader's words: the step's note and the evidence
    local note, name = reason or '', staff_name(prefix, actor)
    redis.call('HSET', key, 'score' .. a.step, score, 'note' .. a.step, note ~= '' and
      say('MSG_NOTE_SCORE', { 'score', score, 'note', note }) or say('MSG_NOTE_SCORE_BARE', { 'score', score }))
    a.evidence = ((a.evidence or '') ~= '' and (a.evidence .. '; ') or '') .. (note ~= '' and
      say('MSG_EVID_SCORED', { 'person', name, 'score', score, 'note', note }) or
      say('MSG_EVID_SCORED_BARE', { 'person', name, 'score', score }))
    redis.call('HSET', key, 'evidence', a.evidence)
  end
  local params = { id = id, summary = a.summary or '', by = staff_name(prefix, actor), reason = reason or '' }
  if verdict == 'deny' then
    redis.call('HSET', key, 'reason', reason or '')
    close_approval(prefix, a, 'denied')
    audit(prefix, now, actor, 'approval.deny', id, reason, src)
    -- a request may say its own refusal ("returned to rewrite" for a summary)
    notify_staff(prefix, a.requester, a.denied_msg or 'MSG_APPROVAL_DENIED', params)
    if a.person and a.person ~= a.requester then notify_staff(prefix, a.person, 'MSG_APPROVAL_DENIED', params) end
    return { 'denied', id, a.summary or '' }
  end
  local step = next_open_step(a, a.step + 1)
  if step then
    audit(prefix, now, actor, 'approval.step', id, 'step ' .. a.step .. ' approved', src)
    a.step = step
    redis.call('HSET', key, 'step', step)
    stuck_arm(prefix, now, id)
    announce_step(prefix, a)
    return { 'advanced', id, a.summary or '', a['who' .. step] }
  end
  return approval_finish(prefix, now, actor, src, a)
end
