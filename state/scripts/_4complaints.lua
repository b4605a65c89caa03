-- _4complaints: routing a chat friend's complaint to the best available
-- agent, in one atomic step.  complaint:<C-n> is the record;
-- complaints:queue (score: priority, then age) holds what nobody could take;
-- complaints:agent:<id> is an agent's open load; agentlast:<id> when they
-- were last given one; friendagent:<identity> the friend's previous agent.
-- A chat friend's visit (visit:<V-n>, state/scripts/visits.lua) is routed by
-- the same rules and waits in the same queue; visits:agent:<id> holds an
-- agent's open visits, which count against the same capacity.
local PRIO_RANK = { urgent = 0, high = 1, normal = 2, low = 3 }
local QBATCH_MS = 5000          -- complaints queued this close together reach the lead as one message
local LEVEL_RANK = { TRN = 1, CCS = 2, PAM = 3, SAM = 4 }

local function csv_map(s)
  local t = {}
  for k, v in string.gmatch(s or '', '([%w_]+)=([%w_]+)') do t[k] = v end
  return t
end

local function csv_has(list, item)
  if not item or item == '' then return false end
  for w in string.gmatch(list or '', '[^,%s]+') do if w == item then return true end end
  return false
end

-- Tell a chat friend (not staff): to = user:<connection>:<user id>, in the
-- language they chose (!lang), else FALLBACK (the complaint's lang=).
local function notify_user(prefix, identity, msg, params, fallback)
  local lang = redis.call('HGET', prefix .. 'friend:' .. identity, 'lang') or fallback or ''
  redis.call('XADD', prefix .. 'outbox', '*',
    'to', 'user:' .. identity, 'lang', lang, 'msg', msg, 'params', cjson.encode(params or {}))
end

-- The agents checked in now on the running shift instances (RUNNING: "date|shift" list).
local function agents_on_duty(prefix, running)
  local out, seen = {}, {}
  for _, inst in ipairs(words(running)) do
    local date, shift = string.match(inst, '^([^|]+)|(.+)$')
    local att = prefix .. 'att:' .. date .. ':' .. shift
    for _, id in ipairs(words(redis.call('HGET', roster_key(prefix, date, shift), 'agents'))) do
      if not seen[id] and redis.call('HEXISTS', att, id .. ':in') == 1 and redis.call('HEXISTS', att, id .. ':out') == 0 then
        seen[id] = true
        out[#out + 1] = id
      end
    end
  end
  return out
end

local function leads_on_duty(prefix, running)
  local out = {}
  for _, inst in ipairs(words(running)) do
    local date, shift = string.match(inst, '^([^|]+)|(.+)$')
    local lead = redis.call('HGET', roster_key(prefix, date, shift), 'lead')
    if lead then out[#out + 1] = lead end
  end
  return out
end

-- What a routed id is: 'complaint' (C-n) or 'visit' (V-n), the first part
-- of its record's key and of its agent's set (complaints:agent:, visits:agent:).
local function routed_kind(id)
  return string.sub(id or '', 1, 2) == 'V-' and 'visit' or 'complaint'
end

-- An agent's open load: complaints and visits share one capacity.
local function agent_load(prefix, id)
  return redis.call('SCARD', prefix .. 'complaints:agent:' .. id) + redis.call('SCARD', prefix .. 'visits:agent:' .. id)
end

-- Did a minister designate agent ID for the friend IDENTITY (!task, op 'task')?
local function designated(prefix, id, identity)
  for _, tid in ipairs(redis.call('SMEMBERS', prefix .. 'tasks:agent:' .. id)) do
    if redis.call('HGET', prefix .. 'task:' .. tid, 'friend') == identity then return true end
  end
  return false
end

-- The best agent for complaint or visit CID now, or nil.  CAPS "TRN=2,CCS=4,...";
-- GROUPS "vip=PAM,...".
local function best_agent(prefix, cid, running, caps, groups)
  local visit = routed_kind(cid) == 'visit'
  local c = redis.call('HMGET', prefix .. routed_kind(cid) .. ':' .. cid, 'group', 'topic', 'lang', 'friend')
  local need = LEVEL_RANK[csv_map(groups)[c[1] or ''] or ''] or 0
  local cap = csv_map(caps)
  local previous = redis.call('GET', prefix .. 'friendagent:' .. (c[4] or ''))
  local best, bkey = nil, nil
  for _, id in ipairs(agents_on_duty(prefix, running)) do
    local s = redis.call('HMGET', prefix .. 'staff:' .. id, 'level', 'skills', 'langs')
    local level = s[1] or ''
    local load = agent_load(prefix, id)
    if (LEVEL_RANK[level] or 0) >= need and load < tonumber(cap[level] or '0') then
      local tier = (csv_has(s[2], c[2]) and 1 or 0) + (csv_has(s[3], c[3]) and 1 or 0)
      local last = tonumber(redis.call('GET', prefix .. 'agentlast:' .. id) or '0')
      -- higher is better: the friend's designated agent (visits only),
      -- skill+language, the friend's previous agent, fewer open, waited
      -- longer; all equal: the lower id
      local key = { visit and designated(prefix, id, c[4]) and 1 or 0, tier, id == previous and 1 or 0, -load, -last }
      local better = best == nil
      if not better then
        better = id < best
        for i = 1, 5 do
          if key[i] ~= bkey[i] then better = key[i] > bkey[i] break end
        end
      end
      if better then best, bkey = id, key end
    end
  end
  return best
end

local function assign(prefix, now, cid, agent, by)
  local kind = routed_kind(cid)
  local key = prefix .. kind .. ':' .. cid
  local old = redis.call('HGET', key, 'agent')
  if old and old ~= agent then redis.call('SREM', prefix .. kind .. 's:agent:' .. old, cid) end
  redis.call('HSET', key, 'agent', agent, 'state', 'open', 'assigned', now)
  redis.call('SADD', prefix .. kind .. 's:agent:' .. agent, cid)
  redis.call('ZREM', prefix .. 'complaints:queue', cid)
  redis.call('ZADD', prefix .. kind .. 's:open', redis.call('HGET', key, 'created'), cid)
  redis.call('SET', prefix .. 'agentlast:' .. agent, now)
  local c = redis.call('HMGET', key, 'friend', 'friend_name', 'text', 'priority', 'topic', 'group', 'greeted', 'lang')
  redis.call('SET', prefix .. 'friendagent:' .. c[1], agent, 'PX', 400 * 86400000)
  if kind == 'visit' then
    -- the agent hears of it privately (unless they took it themself); a
    -- friend greeted already (it waited in the queue) is told someone is with them
    if agent ~= by then
      notify_staff(prefix, agent, 'MSG_VISIT_ASSIGNED', { id = cid, friend = c[2] or c[1], text = c[3] or '' })
    end
    if c[7] then
      notify_user(prefix, c[1], 'MSG_VISIT_WITH_AGENT_FRIEND',
        { id = cid, agent = redis.call('HGET', prefix .. 'staff:' .. agent, 'name') or agent }, c[8])
    end
    audit(prefix, now, by, 'visit.assign', cid, agent, 'route')
    return
  end
  -- a topic or group nobody set is left out, never said as "-"
  local topic, group = c[5] or '', c[6] or ''
  local msg = (topic ~= '' and group ~= '' and 'MSG_COMPLAINT_ASSIGNED') or (topic ~= '' and 'MSG_COMPLAINT_ASSIGNED_TOPIC')
    or (group ~= '' and 'MSG_COMPLAINT_ASSIGNED_GROUP') or 'MSG_COMPLAINT_ASSIGNED_PLAIN'
  notify_staff(prefix, agent, msg, { id = cid, friend = c[2] or c[1], text = c[3],
    priority = word('PRIORITY', c[4]), topic = topic, group = group })
  audit(prefix, now, by, 'complaint.assign', cid, agent, 'route')
end

-- The agents on duty now with room for one more (any group): is there
-- capacity anywhere?
local function free_agents(prefix, running, caps)
  local cap, out = csv_map(caps), {}
  for _, id in ipairs(agents_on_duty(prefix, running)) do
    local level = redis.call('HGET', prefix .. 'staff:' .. id, 'level') or ''
    if agent_load(prefix, id) < tonumber(cap[level] or '0') then
      out[#out + 1] = id
    end
  end
  return out
end

-- Drain the queue: each queued complaint, most urgent first and then the
-- oldest, goes to the best agent on duty with room; one nobody can serve
-- stays and the next is tried (it cannot take what the earlier one could
-- not use).  Stops as soon as nobody on duty has room.  Called whenever
-- capacity may have appeared: a check-in, a shift's start, a resolve, a
-- reassignment, a group change, and a new complaint (which is queued first,
-- so it never goes past an older one of the same or higher urgency).
-- Returns how many were routed.
local function drain_queue(prefix, now, running, caps, groups)
  local routed = 0
  if #free_agents(prefix, running, caps) == 0 then return 0 end
  for _, cid in ipairs(redis.call('ZRANGE', prefix .. 'complaints:queue', 0, 499)) do
    local agent = best_agent(prefix, cid, running, caps, groups)
    if agent then
      assign(prefix, now, cid, agent, 'dutybot')
      routed = routed + 1
      if #free_agents(prefix, running, caps) == 0 then break end
    end
  end
  return routed
end

-- Route CID now, or queue it and alert the running shift's lead.  It joins
-- the queue first and the queue is drained, so an older queued complaint of
-- the same or higher urgency is served before it.
local function route_or_queue(prefix, now, cid, running, caps, groups)
  local key = prefix .. routed_kind(cid) .. ':' .. cid
  local c = redis.call('HMGET', key, 'priority', 'created', 'text')
  redis.call('HSET', key, 'state', 'queued')
  redis.call('ZADD', prefix .. 'complaints:queue', (PRIO_RANK[c[1]] or 2) * 1e13 + tonumber(c[2]), cid)
  drain_queue(prefix, now, running, caps, groups)
  local agent = redis.call('HGET', key, 'agent')
  if agent and redis.call('HGET', key, 'state') == 'open' then return agent end
  -- the lead (else the complaints channel, '#') hears of what queues up within
  -- QBATCH_MS in one message: the first of a batch arms the qbatch timer
  local leads = leads_on_duty(prefix, running)
  if #leads == 0 then leads = { '#' } end
  for _, lead in ipairs(leads) do
    if redis.call('RPUSH', prefix .. 'qbatch:' .. lead, cid) == 1 then
      timer_set(prefix, 'qbatch|' .. lead, tonumber(now) + QBATCH_MS)
    end
  end
  return nil
end
