-- _3approvals: the one approval engine.  An approval is the hash
-- approval:<ID> {type, state = open|approved|denied|failed, requester,
-- created, step, nsteps, who<N>, by<N>, at<N>, reason, shift, ...type fields};
-- approvals:open is the index of the open ones by creation time.
-- who<N> is 'person:<id>' (that person decides) or 'role:<role>' (anyone of
-- that role or above).  The last approval applies the request with its
-- type's APPLY function, in the same atomic step; if that is no longer
-- possible the approval fails and says why.

local function approval_key(prefix, id) return prefix .. 'approval:' .. id end

-- A new approval ID ('S', 'L', 'X', ...) with STEPS = {who, who, ...}.
local function approval_new(prefix, now, letter, typ, requester, steps, fields)
  local id = letter .. '-' .. redis.call('INCR', prefix .. 'seq:' .. letter)
  local key = approval_key(prefix, id)
  redis.call('HSET', key, 'id', id, 'type', typ, 'state', 'open', 'requester', requester,
    'created', now, 'step', 1, 'nsteps', #steps)
  for i, who in ipairs(steps) do redis.call('HSET', key, 'who' .. i, who) end
  for k, v in pairs(fields) do redis.call('HSET', key, k, v) end
  redis.call('ZADD', prefix .. 'approvals:open', now, id)
  return id
end

-- May ACTOR (with role rank RANK) decide the current step of A (a field table)?
local function may_decide(a, actor, rank)
  local who = a['who' .. a.step] or ''
  local kind, val = string.match(who, '^(%a+):(.+)$')
  if kind == 'person' or kind == 'advice' then return val == actor end
  if kind == 'role' then return tonumber(rank) >= (ROLE_RANK[val] or 99) end
  return false
end

local function approval_fields(prefix, id)
  return hash_table(approval_key(prefix, id))
end

-- Tell whoever decides the current step that it waits for them.
local function announce_step(prefix, a)
  local who = a['who' .. a.step]
  local kind, val = string.match(who, '^(%a+):(.+)$')
  local params = { id = a.id, summary = a.summary or '' }
  if kind == 'person' or kind == 'advice' then
    notify_staff(prefix, val, 'MSG_APPROVAL_ASKS_YOU', params)
  else
    params.role = 'MSG_ROLE_' .. string.upper(val)     -- said in each reader's language
    notify_channel(prefix, 'ops', 'MSG_APPROVAL_WAITS', params)
  end
end

local APPLY = {}

-- swap: requester gives their SLOT on DATE SHIFT to OTHER; if OTHER held
-- OTHER_SLOT on DATE OTHER_SHIFT, the requester takes that in exchange.
APPLY.swap = function(prefix, a)
  if slot_of(prefix, a.date, a.shift_name, a.requester) ~= a.slot then
    return 'MSG_SWAP_CHANGED_YOURS'
  end
  if a.other_shift ~= '' and slot_of(prefix, a.date, a.other_shift, a.other) ~= a.other_slot then
    return 'MSG_SWAP_CHANGED_THEIRS'
  end
  if slot_of(prefix, a.date, a.shift_name, a.other) then return 'MSG_SWAP_ALREADY_THERE' end
  if on_leave(prefix, a.other, a.date) or on_leave(prefix, a.requester, a.date) then
    return 'MSG_SWAP_ON_LEAVE'
  end
  take_out(prefix, a.date, a.shift_name, a.slot, a.requester)
  if a.other_shift ~= '' then
    take_out(prefix, a.date, a.other_shift, a.other_slot, a.other)
    put_in(prefix, a.date, a.other_shift, a.other_slot, a.requester)
  end
  put_in(prefix, a.date, a.shift_name, a.slot, a.other)
  return nil
end

-- leave: the requester is off from FROM to TO (DATES, space separated);
-- every slot they held on those days is freed and the gap reported.
APPLY.leave = function(prefix, a)
  local gaps = {}
  for _, date in ipairs(words(a.dates)) do
    redis.call('SADD', prefix .. 'onleave:' .. a.requester, date)
    for _, shift in ipairs(words(a.shifts)) do
      local slot = slot_of(prefix, date, shift, a.requester)
      if slot then
        take_out(prefix, date, shift, slot, a.requester)
        gaps[#gaps + 1] = date .. ' ' .. shift .. ' (' .. slot .. ')'
      end
    end
  end
  a.gaps = table.concat(gaps, ', ')
  redis.call('HSET', approval_key(prefix, a.id), 'gaps', a.gaps)
  return nil
end

-- excuse: PERSON's hours in WEEK need not reach the minimum.
APPLY.excuse = function(prefix, a)
  redis.call('HSET', prefix .. 'excused:' .. a.week, a.person, a.reason_text or '')
  return nil
end

-- promotion: PERSON's level becomes LEVEL.
APPLY.promotion = function(prefix, a)
  local key = prefix .. 'staff:' .. a.person
  local r = redis.call('HMGET', key, 'name', 'level')
  if not r[1] then return 'MSG_PROMOTION_GONE' end
  if r[2] ~= a.from_level then return 'MSG_PROMOTION_LEVEL_CHANGED' end
  redis.call('HSET', key, 'level', a.level)
  notify_staff(prefix, a.person, 'MSG_PROMOTION_DONE_YOU', { level = a.level })
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
  notify_staff(prefix, a.person, 'MSG_PROMOTION_DONE_YOU', { level = 'CCS' })
  return nil
end

local function close_approval(prefix, a, state)
  redis.call('HSET', approval_key(prefix, a.id), 'state', state)
  redis.call('ZREM', prefix .. 'approvals:open', a.id)
end

-- Decide the current step.  Returns a reply table for the handler:
-- {'not_found'} {'closed', state} {'own'} {'twice'} {'not_yours', who}
-- {'denied', id, summary} {'advanced', id, summary, next who}
-- {'approved', id, summary, extra} {'failed', id, summary, message id}
local function approval_decide(prefix, now, actor, rank, src, id, verdict, reason)
  local a = approval_fields(prefix, id)
  if not a then return { 'not_found' } end
  if a.state ~= 'open' then return { 'closed', a.state } end
  a.step = tonumber(a.step)
  if a.requester == actor then return { 'own' } end
  local advice = string.match(a['who' .. a.step] or '', '^advice:') ~= nil
  for i = 1, a.step - 1 do
    -- an opinion asked of someone by name is theirs to give, whatever they decided before
    if a['by' .. i] == actor and not advice then return { 'twice' } end
  end
  if not may_decide(a, actor, rank) then return { 'not_yours', a['who' .. a.step] } end
  local key = approval_key(prefix, id)
  redis.call('HSET', key, 'by' .. a.step, actor, 'at' .. a.step, now)
  if reason and reason ~= '' then redis.call('HSET', key, 'note' .. a.step, reason) end
  -- an opinion asked for is recorded either way and never decides on its own
  if string.match(a['who' .. a.step] or '', '^advice:') then
    verdict = 'approve'
    redis.call('HSET', key, 'opinion', (redis.call('HGET', key, 'opinion') or '') ..
      staff_name(prefix, actor) .. ': ' .. (reason ~= '' and reason or 'agrees') .. '; ')
  end
  local params = { id = id, summary = a.summary or '', by = staff_name(prefix, actor), reason = reason or '' }
  if verdict == 'deny' then
    redis.call('HSET', key, 'reason', reason or '')
    close_approval(prefix, a, 'denied')
    audit(prefix, now, actor, 'approval.deny', id, reason, src)
    notify_staff(prefix, a.requester, 'MSG_APPROVAL_DENIED', params)
    if a.person and a.person ~= a.requester then notify_staff(prefix, a.person, 'MSG_APPROVAL_DENIED', params) end
    return { 'denied', id, a.summary or '' }
  end
  if a.step < tonumber(a.nsteps) then
    a.step = a.step + 1
    redis.call('HSET', key, 'step', a.step)
    audit(prefix, now, actor, 'approval.step', id, 'step ' .. (a.step - 1) .. ' approved', src)
    announce_step(prefix, a)
    return { 'advanced', id, a.summary or '', a['who' .. a.step] }
  end
  local failure = 'MSG_APPROVAL_UNKNOWN_TYPE'
  if APPLY[a.type] then failure = APPLY[a.type](prefix, a) end
  if failure then
    redis.call('HSET', key, 'reason', failure)
    close_approval(prefix, a, 'failed')
    audit(prefix, now, actor, 'approval.fail', id, failure, src)
    params.why = failure
    notify_staff(prefix, a.requester, 'MSG_APPROVAL_FAILED_NOTICE', params)
    return { 'failed', id, a.summary or '', failure }
  end
  close_approval(prefix, a, 'approved')
  audit(prefix, now, actor, 'approval.approve', id, a.summary or '', src)
  notify_staff(prefix, a.requester, 'MSG_APPROVAL_APPROVED', params)
  if a.person and a.person ~= a.requester then notify_staff(prefix, a.person, 'MSG_APPROVAL_APPROVED', params) end
  if a.type == 'swap' then
    notify_staff(prefix, a.other, 'MSG_APPROVAL_APPROVED', params)
    notify_channel(prefix, 'ops', 'MSG_SWAP_DONE_OPS', params)
  elseif a.type == 'leave' then
    params.gaps = (a.gaps ~= '' and a.gaps) or '-'
    notify_channel(prefix, 'ops', 'MSG_LEAVE_GAP_OPS', params)
  end
  return { 'approved', id, a.summary or '', a.gaps or '' }
end

