-- approval_decide: everything done to one approval of the engine.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, rank, id, op, reason, score, stuck_after ms
-- op 'approve' | 'deny': !approve / !deny / !swap accept|decline / !probation evaluate
--    (replies: see approval_decide in _3approvals.lua)
-- op 'cancel': !approval cancel ID [reason], by the requester or a webmaster
--    -> {'not_found'} | {'closed', state} | {'not_allowed'} | {'cancelled', id, summary}
-- op 'show': !approval show ID, for those it concerns or who decide it
--    -> {'not_found'} | {'not_allowed'} | {'show', id, state, summary, requester name,
--        requester role, created, reason, evidence, nsteps, then per step:
--        who, status (signed|approved|denied|waits|later), by name, note, who may (names)}
-- op 'stuck': the timer 'stuck|ID' (REASON is the member): the webmasters are told once;
--    a report claimed before the step changed leaves the new step's timer (stuckdue)
--    -> {'gone'} | {'later', stuckdue} | {'reported', n}
-- helpers: audit, ROLE_RANK, notify_channel, notify_staff, staff_with_role,
--   staff_name, timer_set, timer_done, approval_key, approval_fields, staff_ranks,
--   step_fits, used_people, close_approval, approval_decide
local prefix, now, actor, src, rank, id, op, reason, score =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], ARGV[7], ARGV[8], ARGV[9]

if op == 'approve' or op == 'deny' then
  return approval_decide(prefix, now, actor, rank, src, id, op, reason, score)
end

local a = approval_fields(prefix, id)

if op == 'stuck' then
  -- claimed before a decision moved the request on and armed the next step's
  -- report: that report stays, at its own time
  if a and a.state == 'open' and tonumber(a.stuckdue or '') and tonumber(now) < tonumber(a.stuckdue) then
    timer_set(prefix, reason, tonumber(a.stuckdue))
    return { 'later', a.stuckdue }
  end
  timer_done(prefix, reason)
  if not a or a.state ~= 'open' then return { 'gone' } end
  local step = tonumber(a.step)
  local kind, val = string.match(a['who' .. step] or '', '^(%a+):(.+)$')
  local params = { id = id, summary = a.summary or '',
    hours = tostring(math.floor((tonumber(now) - tonumber(a.stepsince or a.created)) / 3600000)) }
  local msg = 'MSG_APPROVAL_STUCK_PERSON'
  if kind == 'role' then
    msg, params.role = 'MSG_APPROVAL_STUCK_ROLE', 'MSG_ROLE_' .. string.upper(val)
  else
    params.person = staff_name(prefix, val or '')
  end
  local n = 0
  for _, w in ipairs(staff_with_role(prefix, 'webmaster')) do
    if notify_staff(prefix, w, msg, params) then n = n + 1 end
  end
  audit(prefix, now, actor, 'approval.stuck', id, 'step ' .. step .. ' waits since ' .. (a.stepsince or a.created), src)
  return { 'reported', n }
end

if not a then return { 'not_found' } end

if op == 'cancel' then
  if a.state ~= 'open' then return { 'closed', a.state } end
  if a.requester ~= actor and rank < ROLE_RANK.webmaster then return { 'not_allowed' } end
  local key = approval_key(prefix, id)
  redis.call('HSET', key, 'reason', reason or '', 'cancelled_by', actor, 'cancelled_at', now)
  close_approval(prefix, a, 'cancelled')
  audit(prefix, now, actor, 'approval.cancel', id, reason, src)
  local params = { id = id, summary = a.summary or '', by = staff_name(prefix, actor), reason = reason or '' }
  -- no reason given: a text without one, never "reason: —"
  local told_msg = (reason and reason ~= '') and 'MSG_APPROVAL_CANCELLED' or 'MSG_APPROVAL_CANCELLED_NO_REASON'
  -- the room hears that it was cancelled, not why: the reason is for those it concerns
  notify_channel(prefix, 'ops', 'MSG_APPROVAL_CANCELLED_OPS',
    { id = id, summary = a.ops_summary or a.summary or '', by = params.by })
  local told = { [actor] = true }
  for _, p in ipairs({ a.requester, a.person or '', a.other or '' }) do
    if p ~= '' and not told[p] then
      told[p] = true
      notify_staff(prefix, p, told_msg, params)
    end
  end
  return { 'cancelled', id, a.summary or '' }
end

if op == 'show' then
  local ranks = staff_ranks(prefix)
  local n, step = tonumber(a.nsteps), tonumber(a.step)
  local allowed = rank >= ROLE_RANK.webmaster or actor == a.requester or actor == a.person or actor == a.other
  for i = 1, n do
    if a['by' .. i] == actor or step_fits(ranks, a['who' .. i], actor) then allowed = true end
  end
  if not allowed then return { 'not_allowed' } end
  local out = { 'show', id, a.state, a.summary or '', staff_name(prefix, a.requester),
    redis.call('HGET', prefix .. 'staff:' .. a.requester, 'role') or '', a.created,
    a.reason_text or '', a.evidence or '', tostring(n) }
  local used = used_people(a, step)
  for i = 1, n do
    local status = 'later'
    if a['signed' .. i] == '1' then status = 'signed'
    elseif a['by' .. i] then status = (a.state == 'denied' and i == step) and 'denied' or 'approved'
    elseif i == step and a.state == 'open' then status = 'waits'
    elseif a.state ~= 'open' then status = 'none' end
    local may = {}
    if status == 'waits' or status == 'later' then
      local ids = {}
      for p in pairs(ranks) do
        if not used[p] and step_fits(ranks, a['who' .. i], p) then ids[#ids + 1] = p end
      end
      table.sort(ids)
      for _, p in ipairs(ids) do may[#may + 1] = staff_name(prefix, p) end
    end
    out[#out + 1] = a['who' .. i] or ''
    out[#out + 1] = status
    out[#out + 1] = a['by' .. i] and staff_name(prefix, a['by' .. i]) or ''
    out[#out + 1] = a['note' .. i] or ''
    out[#out + 1] = table.concat(may, ', ')
  end
  return out
end
return redis.error_reply('approval_decide: unknown op ' .. tostring(op))
