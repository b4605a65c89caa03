-- visits: a chat friend who came to talk (!ask, or a private line to the
-- bot that is no command), routed like a complaint (_4complaints.lua: the
-- same rules, queue and capacity; a designated agent first).
-- visit:<V-n> is the record (state asking|queued|open|closed),
-- visit:<V-n>:log what was said (the friend's lines, replies); visits:created,
-- visits:open (every visit not closed), visits:closed (scores: when);
-- visits:agent:<id> an agent's open visits; visitfriend:<identity> the
-- friend's visit not closed yet.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, op, running ("date|shift" list), caps, groups, ...
-- helpers: audit, say_inner, word, hash_table, ROLE_RANK, notify_staff, staff_name, notify_user,
--   assign, drain_queue, route_or_queue
local prefix, now, actor, src, op, running, caps, groups =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local t = tonumber(now)

local function load(id)
  return hash_table(prefix .. 'visit:' .. id)
end

-- The friend's words for an agent: the name alone (no level code).
local function agent_name(id)
  return redis.call('HGET', prefix .. 'staff:' .. id, 'name') or id
end

-- Visit ID has its reason, QUESTION: route it; {'routed', id, agent, again}
-- or {'queued', id, '', again}, AGAIN '1' when the friend was greeted before.
local function route(id, question)
  local key = prefix .. 'visit:' .. id
  local again = redis.call('HEXISTS', key, 'greeted') == 1 and '1' or '0'
  -- unset while routing: the answer to this line tells the friend who comes,
  -- not assign() (which tells a friend greeted earlier, from the queue)
  redis.call('HDEL', key, 'greeted')
  redis.call('HSET', key, 'text', question, 'asked', now)
  local agent = route_or_queue(prefix, now, id, running, caps, groups)
  redis.call('HSET', key, 'greeted', now)
  if agent then return { 'routed', id, agent_name(agent), again } end
  return { 'queued', id, '', again }
end

if op == 'ask' then
  -- identity, friend name, lang, text ('' = no reason given yet)
  local identity, fname, lang, text = ARGV[9], ARGV[10], ARGV[11], ARGV[12]
  local id = redis.call('GET', prefix .. 'visitfriend:' .. identity)
  local v = id and load(id)
  if v and v.state ~= 'closed' then
    if text == '' and v.state == 'asking' then return { 'asking', v.id } end     -- asked again: what brings them?
    if text == '' then
      return { 'already', v.id, v.agent and agent_name(v.agent) or '' }
    end
    redis.call('RPUSH', prefix .. 'visit:' .. v.id .. ':log', now .. '|' .. identity .. '|friend|' .. text)
    if v.state == 'asking' then return route(v.id, text) end
    -- the friend goes on talking: to their agent, tagged; else it waits with the visit
    if v.agent then
      notify_staff(prefix, v.agent, 'MSG_VISIT_FRIEND_SAYS', { id = v.id, friend = v.friend_name or identity, text = text })
      return { 'forwarded', v.id }
    end
    -- nobody has it yet: whoever takes it reads this line with the first
    redis.call('HSET', prefix .. 'visit:' .. v.id, 'text', (v.text or '') .. ' / ' .. text)
    return { 'waiting', v.id }
  end
  id = 'V-' .. redis.call('INCR', prefix .. 'seq:V')
  redis.call('HSET', prefix .. 'visit:' .. id, 'id', id, 'friend', identity, 'friend_name', fname, 'lang', lang,
    'priority', 'normal', 'text', text, 'created', now, 'state', 'asking')
  redis.call('ZADD', prefix .. 'visits:created', t, id)
  redis.call('ZADD', prefix .. 'visits:open', t, id)
  redis.call('SET', prefix .. 'visitfriend:' .. identity, id, 'PX', 30 * 86400000)
  audit(prefix, now, actor, 'visit.new', id, '', src)
  if text == '' then
    redis.call('HSET', prefix .. 'visit:' .. id, 'greeted', now)
    return { 'asking', id }
  end
  redis.call('RPUSH', prefix .. 'visit:' .. id .. ':log', now .. '|' .. identity .. '|friend|' .. text)
  return route(id, text)
end

if op == 'list' then
  -- which: '' or 'open' (every visit not closed) | 'mine'; rows of five:
  -- id, state, agent (name or ''), the friend's name, their reason
  local ids = {}
  if ARGV[9] == 'mine' then
    ids = redis.call('SMEMBERS', prefix .. 'visits:agent:' .. actor)
    table.sort(ids, function(a, b) return tonumber(string.sub(a, 3)) < tonumber(string.sub(b, 3)) end)
  else
    ids = redis.call('ZRANGE', prefix .. 'visits:open', 0, 49)
  end
  local out = {}
  for _, id in ipairs(ids) do
    local v = load(id)
    if v then
      out[#out + 1] = id
      out[#out + 1] = word('VISIT_STATE', v.state)
      out[#out + 1] = v.agent and staff_name(prefix, v.agent) or ''
      out[#out + 1] = v.friend_name or v.friend
      out[#out + 1] = (v.text or '') ~= '' and v.text or say_inner('MSG_VISIT_NO_REASON')
    end
  end
  return out
end

-- reply | note | close: id, text ('' to close), rank.  A note stays with the
-- staff: the friend never reads it.  Only the visit's agent, or a
-- vice minister and above; a visit nobody has yet is taken by replying.
local v = load(ARGV[9])
if not v then return { 'not_found' } end
if v.state == 'closed' then return { 'closed' } end
if v.agent and v.agent ~= actor and tonumber(ARGV[11]) < ROLE_RANK.vice_minister then
  return { 'not_yours', staff_name(prefix, v.agent) }
end
local key = prefix .. 'visit:' .. v.id

if op == 'reply' then
  if not v.agent then assign(prefix, now, v.id, actor, actor) end
  if not v.first_response then redis.call('HSET', key, 'first_response', now) end
  redis.call('RPUSH', key .. ':log', now .. '|' .. actor .. '|reply|' .. ARGV[10])
  notify_user(prefix, v.friend, 'MSG_VISIT_REPLY_FRIEND', { id = v.id, agent = agent_name(actor), text = ARGV[10] }, v.lang)
  audit(prefix, now, actor, 'visit.reply', v.id, '', src)
  return { 'ok', v.friend_name or v.friend }

elseif op == 'note' then
  redis.call('RPUSH', key .. ':log', now .. '|' .. actor .. '|note|' .. ARGV[10])
  audit(prefix, now, actor, 'visit.note', v.id, '', src)
  return { 'ok', v.friend_name or v.friend }

elseif op == 'close' then
  redis.call('HSET', key, 'state', 'closed', 'closed_at', now, 'closed_by', actor)
  if v.agent then redis.call('SREM', prefix .. 'visits:agent:' .. v.agent, v.id) end
  redis.call('ZREM', prefix .. 'visits:open', v.id)
  redis.call('ZREM', prefix .. 'complaints:queue', v.id)
  redis.call('ZADD', prefix .. 'visits:closed', t, v.id)
  if redis.call('GET', prefix .. 'visitfriend:' .. v.friend) == v.id then
    redis.call('DEL', prefix .. 'visitfriend:' .. v.friend)
  end
  notify_user(prefix, v.friend, 'MSG_VISIT_CLOSED_FRIEND', { id = v.id }, v.lang)
  audit(prefix, now, actor, 'visit.close', v.id, '', src)
  -- the agent has room again: the queue may move
  drain_queue(prefix, now, running, caps, groups)
  return { 'ok', v.friend_name or v.friend }
end
return redis.error_reply('visits: unknown op ' .. tostring(op))
