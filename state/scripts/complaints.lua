-- complaints: chat friends' complaints and suggestions.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, op, running ("date|shift" list), caps, groups, ...
-- helpers: audit, say, word, hash_table, words, ROLE_RANK, notify_channel, notify_staff,
--   staff_name, timer_set, timer_done, LEVEL_RANK, csv_map, notify_user,
--   leads_on_duty, assign, free_agents, drain_queue, route_or_queue, routed_kind
local prefix, now, actor, src, op, running, caps, groups =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local t = tonumber(now)

local function load(cid)
  return hash_table(prefix .. 'complaint:' .. cid)
end

if op == 'suggestions' then
  -- the latest N suggestions, newest first, and how many there are: {total, id, created, from, text, ...}
  local out = { tostring(redis.call('ZCARD', prefix .. 'suggestions')) }
  for _, id in ipairs(redis.call('ZREVRANGE', prefix .. 'suggestions', 0, tonumber(ARGV[9]) - 1)) do
    local g = redis.call('HMGET', prefix .. 'suggestion:' .. id, 'created', 'friend_name', 'friend', 'text')
    out[#out + 1] = id
    out[#out + 1] = g[1] or '0'
    out[#out + 1] = g[2] or g[3] or ''
    out[#out + 1] = g[4] or ''
  end
  return out
end

if op == 'new' or op == 'suggest' then
  -- identity, friend name, text, priority, topic, lang, group, per-hour limit, sla due, by staff ('' = the friend)
  local identity, fname, text, prio, topic, lang, group, limit, due, filer =
    ARGV[9], ARGV[10], ARGV[11], ARGV[12], ARGV[13], ARGV[14], ARGV[15], tonumber(ARGV[16]), ARGV[17], ARGV[18]
  local held_until = nil
  if filer == '' then
    -- a friend's own filings: at most LIMIT an hour; more are kept, not lost
    local flood = prefix .. 'flood:' .. identity
    redis.call('ZREMRANGEBYSCORE', flood, '-inf', t - 3600000)
    if redis.call('ZCARD', flood) >= limit then
      local oldest = redis.call('ZRANGE', flood, 0, 0, 'WITHSCORES')
      held_until = tonumber(oldest[2]) + 3600000
    end
    redis.call('ZADD', flood, t, now .. ':' .. redis.call('INCR', prefix .. 'seq:flood'))
    redis.call('PEXPIRE', flood, 3600000)
  end
  if op == 'suggest' then
    local id = 'G-' .. redis.call('INCR', prefix .. 'seq:G')
    redis.call('HSET', prefix .. 'suggestion:' .. id, 'id', id, 'friend', identity, 'friend_name', fname, 'text', text,
      'created', now)
    redis.call('ZADD', prefix .. 'suggestions', t, id)
    audit(prefix, now, actor, 'suggestion.new', id, '', src)
    return { 'ok', id }
  end
  local id = 'C-' .. redis.call('INCR', prefix .. 'seq:C')
  redis.call('ZADD', prefix .. 'complaints:created', t, id)
  redis.call('HSET', prefix .. 'complaint:' .. id, 'id', id, 'friend', identity, 'friend_name', fname, 'text', text,
    'priority', prio, 'topic', topic, 'lang', lang, 'group', group, 'created', now, 'by', (filer ~= '' and filer) or identity,
    'state', 'new')
  audit(prefix, now, actor, 'complaint.new', id, prio .. ' ' .. topic, src)
  if held_until then
    redis.call('HSET', prefix .. 'complaint:' .. id, 'state', 'held')
    timer_set(prefix, 'release|' .. id, held_until)
    return { 'held', id, tostring(held_until) }
  end
  timer_set(prefix, 'sla|' .. id, due)
  local agent = route_or_queue(prefix, now, id, running, caps, groups)
  return { 'ok', id, agent or '' }

elseif op == 'release' then
  -- member, id, sla due
  timer_done(prefix, ARGV[9])
  local c = load(ARGV[10])
  if not c or c.state ~= 'held' then return { 'gone' } end
  timer_set(prefix, 'sla|' .. c.id, ARGV[11])
  return { 'released', route_or_queue(prefix, now, c.id, running, caps, groups) or '' }

elseif op == 'qbatch' then
  -- member, lead id or '#' (the complaints channel): what queued up since the
  -- batch began and still waits, in one message
  timer_done(prefix, ARGV[9])
  local key = prefix .. 'qbatch:' .. ARGV[10]
  local ids = redis.call('LRANGE', key, 0, -1)
  redis.call('DEL', key)
  local waiting, visits = {}, 0
  local function tell(msg, params)
    if ARGV[10] == '#' then notify_channel(prefix, 'complaints', msg, params)
    else notify_staff(prefix, ARGV[10], msg, params) end
  end
  for _, cid in ipairs(ids) do
    local c = redis.call('HMGET', prefix .. routed_kind(cid) .. ':' .. cid, 'state', 'priority', 'text', 'friend_name')
    if c[1] == 'queued' and routed_kind(cid) == 'visit' then
      -- a friend waiting for someone to talk to: said as a visit, one each
      tell('MSG_VISIT_QUEUED_LEAD', { id = cid, friend = c[4] or '', text = c[3] or '' })
      visits = visits + 1
    elseif c[1] == 'queued' then
      waiting[#waiting + 1] = { id = cid, priority = word('PRIORITY', c[2]), text = c[3] }
    end
  end
  if #waiting == 0 then return { visits > 0 and 'ok' or 'gone', tostring(visits) } end
  local msg, params = 'MSG_COMPLAINT_QUEUED_LEAD', waiting[1]
  if #waiting > 1 then
    local lines = {}
    for _, w in ipairs(waiting) do
      lines[#lines + 1] = say('MSG_COMPLAINT_QUEUED_ITEM', { 'id', w.id, 'priority', w.priority, 'text', w.text })
    end
    msg, params = 'MSG_COMPLAINT_QUEUED_LEAD_MANY', { n = tostring(#waiting), items = table.concat(lines, '\n') }
  end
  tell(msg, params)
  return { 'ok', tostring(#waiting + visits) }

elseif op == 'route_queue' then
  return { 'ok', tostring(drain_queue(prefix, now, running, caps, groups)) }

elseif op == 'shiftstart' then
  -- member, next member, next due: a shift began, its agents may take the queue
  timer_done(prefix, ARGV[9])
  if ARGV[10] ~= '' then timer_set(prefix, ARGV[10], ARGV[11]) end
  return { 'ok', tostring(drain_queue(prefix, now, running, caps, groups)) }

elseif op == 'sla' then
  -- member, id
  timer_done(prefix, ARGV[9])
  local c = load(ARGV[10])
  if not c or c.first_response or c.state == 'resolved' then return { 'in_time' } end
  redis.call('HSET', prefix .. 'complaint:' .. c.id, 'breached', now)
  redis.call('INCR', prefix .. 'sla_breaches')
  local params = { id = c.id, priority = word('PRIORITY', c.priority),
    agent = c.agent and staff_name(prefix, c.agent) or word('COMPLAINT_AGENT', 'none') }
  local leads = leads_on_duty(prefix, running)
  for _, lead in ipairs(leads) do notify_staff(prefix, lead, 'MSG_COMPLAINT_SLA_BREACH', params) end
  if #leads == 0 then notify_channel(prefix, 'complaints', 'MSG_COMPLAINT_SLA_BREACH', params) end
  audit(prefix, now, 'dutybot', 'complaint.sla_breach', c.id, c.priority, 'timer')
  return { 'breached' }

elseif op == 'take' or op == 'assign' then
  -- id, person, rank, force ('1': even to someone not on shift)
  local c = load(ARGV[9])
  if not c then return { 'not_found' } end
  if c.state == 'resolved' then return { 'resolved' } end
  local who = ARGV[10]
  local s = redis.call('HMGET', prefix .. 'staff:' .. who, 'role', 'level')
  if not s[1] then return { 'no_such_person' } end
  local gate = csv_map(groups)
  local need = gate[c.group or ''] or ''
  if need ~= '' and (LEVEL_RANK[s[2] or ''] or 0) < LEVEL_RANK[need] and s[1] == 'agent' then
    return { 'level', need, c.group }
  end
  if c.agent == who then return { 'already', staff_name(prefix, who) } end
  if op == 'take' and c.agent then return { 'taken', staff_name(prefix, c.agent) } end
  if op == 'assign' and ARGV[12] ~= '1' then
    -- on shift: checked in (and not out) on a running shift, as agent or lead
    local on = false
    for _, inst in ipairs(words(running)) do
      local att = prefix .. 'att:' .. (string.gsub(inst, '|', ':'))
      if redis.call('HEXISTS', att, who .. ':in') == 1 and redis.call('HEXISTS', att, who .. ':out') == 0 then
        on = true
      end
    end
    if not on then
      -- who could take it now: on duty, room left, the level its group needs
      local free = {}
      for _, id in ipairs(free_agents(prefix, running, caps)) do
        local level = redis.call('HGET', prefix .. 'staff:' .. id, 'level') or ''
        if id ~= c.agent and (need == '' or (LEVEL_RANK[level] or 0) >= LEVEL_RANK[need]) then
          free[#free + 1] = staff_name(prefix, id)
        end
      end
      return { 'off_shift', staff_name(prefix, who), table.concat(free, ', ') }
    end
  end
  assign(prefix, now, c.id, who, actor)
  -- a reassignment frees the previous agent: the queue may move
  if c.agent then drain_queue(prefix, now, running, caps, groups) end
  return { 'ok', staff_name(prefix, who) }

elseif op == 'note' or op == 'reply' or op == 'resolve' then
  -- id, text, rank.  A note is internal; a reply goes to the friend and,
  -- like the resolution the friend is told, is the first response.
  local c = load(ARGV[9])
  if not c then return { 'not_found' } end
  if c.state == 'resolved' then return { 'resolved' } end
  if c.agent ~= actor and tonumber(ARGV[11]) < ROLE_RANK.vice_minister then
    return { 'not_yours', c.agent and staff_name(prefix, c.agent) or '' }
  end
  local key = prefix .. 'complaint:' .. c.id
  if op ~= 'note' and not c.first_response then redis.call('HSET', key, 'first_response', now) end
  redis.call('RPUSH', key .. ':notes', now .. '|' .. actor .. '|' .. op .. '|' .. ARGV[10])
  if op == 'note' then
    audit(prefix, now, actor, 'complaint.note', c.id, '', src)
    return { 'ok' }
  end
  if op == 'reply' then
    notify_user(prefix, c.friend, 'MSG_COMPLAINT_REPLY_FRIEND', { id = c.id, text = ARGV[10] }, c.lang)
    audit(prefix, now, actor, 'complaint.reply', c.id, '', src)
    return { 'ok', c.friend_name or c.friend }
  end
  redis.call('HSET', key, 'state', 'resolved', 'resolved_at', now, 'resolved_by', actor, 'resolution', ARGV[10])
  if c.agent then redis.call('SREM', prefix .. 'complaints:agent:' .. c.agent, c.id) end
  redis.call('ZREM', prefix .. 'complaints:open', c.id)
  redis.call('ZREM', prefix .. 'complaints:queue', c.id)
  redis.call('ZADD', prefix .. 'complaints:resolved', t, c.id)
  timer_done(prefix, 'sla|' .. c.id)
  notify_user(prefix, c.friend, 'MSG_COMPLAINT_RESOLVED_FRIEND', { id = c.id, resolution = ARGV[10] }, c.lang)
  audit(prefix, now, actor, 'complaint.resolve', c.id, '', src)
  -- the agent has room again: the queue may move
  return { 'ok', tostring(drain_queue(prefix, now, running, caps, groups)) }

elseif op == 'group' then
  -- id, group ('' clears it), rank
  local c = load(ARGV[9])
  if not c then return { 'not_found' } end
  if c.state == 'resolved' then return { 'resolved' } end
  if c.agent and c.agent ~= actor and tonumber(ARGV[11]) < ROLE_RANK.vice_minister then
    return { 'not_yours', staff_name(prefix, c.agent) }
  end
  local group, key = ARGV[10], prefix .. 'complaint:' .. c.id
  if (c.group or '') == group then return { 'unchanged' } end
  redis.call('HSET', key, 'group', group)
  audit(prefix, now, actor, 'complaint.group', c.id, group, src)
  local need = csv_map(groups)[group] or ''
  local old = c.agent
  if old and need ~= '' and c.state == 'open'
      and (LEVEL_RANK[redis.call('HGET', prefix .. 'staff:' .. old, 'level') or ''] or 0) < LEVEL_RANK[need] then
    -- its agent's level no longer serves it: to someone who can, or the queue
    redis.call('SREM', prefix .. 'complaints:agent:' .. old, c.id)
    redis.call('ZREM', prefix .. 'complaints:open', c.id)
    redis.call('HDEL', key, 'agent')
    notify_staff(prefix, old, 'MSG_COMPLAINT_MOVED_AWAY', { id = c.id, group = group, level = need })
    local agent = route_or_queue(prefix, now, c.id, running, caps, groups)
    drain_queue(prefix, now, running, caps, groups)
    if agent then return { 'moved', staff_name(prefix, old), staff_name(prefix, agent) } end
    return { 'queued', staff_name(prefix, old) }
  end
  -- a queued one may now be served (or a cleared group frees it)
  drain_queue(prefix, now, running, caps, groups)
  return { 'ok' }

elseif op == 'rate' then
  -- id, identity, score, comment
  local c = load(ARGV[9])
  if not c then return { 'not_found' } end
  if c.friend ~= ARGV[10] then return { 'not_yours' } end
  if c.state ~= 'resolved' then return { 'open' } end
  if c.rating then return { 'rated', c.rating } end
  redis.call('HSET', prefix .. 'complaint:' .. c.id, 'rating', ARGV[11], 'rating_comment', ARGV[12])
  if c.agent then redis.call('HINCRBY', prefix .. 'ratings:' .. c.agent, 'sum', ARGV[11]) end
  if c.agent then redis.call('HINCRBY', prefix .. 'ratings:' .. c.agent, 'n', 1) end
  audit(prefix, now, ARGV[10], 'complaint.rate', c.id, ARGV[11], src)
  return { 'ok' }

elseif op == 'task' then
  -- agent, friend identity, note
  if redis.call('EXISTS', prefix .. 'staff:' .. ARGV[9]) == 0 then return { 'no_such_person' } end
  local id = 'A-' .. redis.call('INCR', prefix .. 'seq:A')
  redis.call('HSET', prefix .. 'task:' .. id, 'id', id, 'agent', ARGV[9], 'friend', ARGV[10], 'note', ARGV[11], 'created', now)
  redis.call('PEXPIRE', prefix .. 'task:' .. id, 90 * 86400000)    -- a designation lasts three months
  redis.call('SADD', prefix .. 'tasks:agent:' .. ARGV[9], id)
  notify_staff(prefix, ARGV[9], 'MSG_TASK_ASSIGNED', { id = id, friend = ARGV[10], note = ARGV[11] })
  audit(prefix, now, actor, 'task.assign', id, ARGV[9] .. ' ' .. ARGV[10], src)
  return { 'ok', id }

elseif op == 'list' then
  -- which: '' (what the caller can act on: their own, and the queue they
  -- can take) | open | mine | queue | all.  Rows of five; the default view
  -- starts with how many rows are the caller's own.
  local which, ids = ARGV[9], {}
  local function rows(list, out)
    for _, id in ipairs(list) do
      local c = load(id)
      if c then
        out[#out + 1] = id
        out[#out + 1] = word('COMPLAINT_STATE', c.state)
        out[#out + 1] = word('PRIORITY', c.priority)
        out[#out + 1] = c.agent and staff_name(prefix, c.agent) or word('COMPLAINT_AGENT', 'none')
        out[#out + 1] = c.text
      end
    end
    return out
  end
  local function tasks(out)
    for _, id in ipairs(redis.call('SMEMBERS', prefix .. 'tasks:agent:' .. actor)) do
      local k = redis.call('HMGET', prefix .. 'task:' .. id, 'friend', 'note')
      if not k[1] then
        redis.call('SREM', prefix .. 'tasks:agent:' .. actor, id)    -- expired
      else
        out[#out + 1] = id
        out[#out + 1] = word('COMPLAINT_STATE', 'task')
        out[#out + 1] = ''     -- no priority: the row says so (MSG_COMPLAINTS_LINE_TASK)
        out[#out + 1] = k[1] or ''
        out[#out + 1] = k[2] or ''
      end
    end
    return out
  end
  local function mine()
    local m = redis.call('SMEMBERS', prefix .. 'complaints:agent:' .. actor)
    table.sort(m, function(a, b) return tonumber(string.sub(a, 3)) < tonumber(string.sub(b, 3)) end)
    return m
  end
  if which == '' then
    -- the queue the caller can take: an agent only what their level serves
    local s = redis.call('HMGET', prefix .. 'staff:' .. actor, 'role', 'level')
    local gate, queue = csv_map(groups), {}
    for _, id in ipairs(redis.call('ZRANGE', prefix .. 'complaints:queue', 0, 49)) do
      local need = gate[redis.call('HGET', prefix .. 'complaint:' .. id, 'group') or ''] or ''
      if s[1] ~= 'agent' or need == '' or (LEVEL_RANK[s[2] or ''] or 0) >= LEVEL_RANK[need] then
        queue[#queue + 1] = id
      end
    end
    local own = tasks(rows(mine(), {}))
    local out = { tostring(#own / 5) }
    for _, v in ipairs(own) do out[#out + 1] = v end
    return rows(queue, out)
  end
  if which == 'mine' then
    ids = mine()
  elseif which == 'queue' then
    ids = redis.call('ZRANGE', prefix .. 'complaints:queue', 0, 49)
  elseif which == 'all' then
    ids = redis.call('ZRANGE', prefix .. 'complaints:open', 0, 49)
    for _, id in ipairs(redis.call('ZRANGE', prefix .. 'complaints:queue', 0, 49)) do ids[#ids + 1] = id end
    for _, id in ipairs(redis.call('ZREVRANGE', prefix .. 'complaints:resolved', 0, 19)) do ids[#ids + 1] = id end
  else
    ids = redis.call('ZRANGE', prefix .. 'complaints:open', 0, 49)
  end
  local out = rows(ids, {})
  if which == 'mine' then tasks(out) end
  return out
end
return redis.error_reply('complaints: unknown op ' .. tostring(op))
