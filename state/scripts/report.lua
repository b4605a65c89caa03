-- report: the figures of a day, week or month, and the month's evaluation.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, op ('read'|'post'|'evaluate'), from ms, to ms, period label,
--         weeks (space list), minimum weekly hours ms,
--         post: member, next member, next due; evaluate: weights "a,l,c,r,q"
-- returns read/evaluate: {json}; post: {'posted'}
local prefix, now, op, from, to, label = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local weeks, min_ms = words(ARGV[7]), tonumber(ARGV[8])

local function dur(ms)
  if not ms then return '-' end
  ms = math.floor(ms / 1000)
  if ms < 3600 then return string.format('%dm %02ds', math.floor(ms / 60), ms % 60) end
  return string.format('%dh %02dm', math.floor(ms / 3600), math.floor(ms % 3600 / 60))
end

local function pct(sorted, q)
  if #sorted == 0 then return nil end
  local i = math.ceil(q * #sorted)
  if i < 1 then i = 1 end
  return sorted[i]
end

local function counts(t)
  local keys, out = {}, {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do out[#out + 1] = k .. ' ' .. t[k] end
  return (#out > 0 and table.concat(out, ', ')) or '-'
end

-- complaints filed in the period, and per agent what they handled in it
local opened, resolved, still, breaches = 0, 0, 0, 0
local responses, by_topic, by_prio, agents, assigned = {}, {}, {}, {}, {}
local function agent(id)
  agents[id] = agents[id] or { handled = 0, responses = {}, rsum = 0, rn = 0 }
  return agents[id]
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', prefix .. 'complaints:created', from, to)) do
  local c = redis.call('HMGET', prefix .. 'complaint:' .. id, 'created', 'first_response', 'state', 'topic',
    'priority', 'agent', 'breached', 'resolved_at', 'rating', 'resolved_by')
  opened = opened + 1
  if c[3] ~= 'resolved' then still = still + 1 end
  if c[7] then breaches = breaches + 1 end
  if c[6] then assigned[c[6]] = (assigned[c[6]] or 0) + 1 end
  local topic = (c[4] and c[4] ~= '') and c[4] or '-'
  by_topic[topic] = (by_topic[topic] or 0) + 1
  by_prio[c[5] or 'normal'] = (by_prio[c[5] or 'normal'] or 0) + 1
  if c[2] then
    local r = tonumber(c[2]) - tonumber(c[1])
    responses[#responses + 1] = r
    if c[6] then table.insert(agent(c[6]).responses, r) end
  end
  if c[8] and tonumber(c[8]) <= to then
    resolved = resolved + 1
    local who = c[10] or c[6]
    if who then agent(who).handled = agent(who).handled + 1 end
  end
  if c[9] and c[6] then
    agent(c[6]).rsum = agent(c[6]).rsum + tonumber(c[9])
    agent(c[6]).rn = agent(c[6]).rn + 1
  end
end
table.sort(responses)

-- hours and lateness over the weeks of the period
local hours, late = {}, {}
for _, w in ipairs(weeks) do
  local h = redis.call('HGETALL', prefix .. 'hours:' .. w)
  for i = 1, #h, 2 do hours[h[i]] = (hours[h[i]] or 0) + tonumber(h[i + 1]) end
  local l = redis.call('HGETALL', prefix .. 'latecount:' .. w)
  for i = 1, #l, 2 do late[l[i]] = (late[l[i]] or 0) + tonumber(l[i + 1]) end
end
local total_hours, under = 0, 0
for _, ms in pairs(hours) do total_hours = total_hours + ms end
if #weeks == 1 then
  for _, id in ipairs(redis.call('SMEMBERS', prefix .. 'staff')) do
    local role = redis.call('HGET', prefix .. 'staff:' .. id, 'role')
    if (role == 'agent' or role == 'vice_minister') and (hours[id] or 0) < min_ms then under = under + 1 end
  end
end

if op == 'evaluate' then
  -- Only agents with data in the month are ranked (hours, lateness,
  -- complaints given to them or handled, ratings); equal scores are a tie, and
  -- a tie is never a best or a worst.  kind: none | one | tie | ranked.
  local w = {}
  for x in string.gmatch(ARGV[9], '[^,]+') do w[#w + 1] = tonumber(x) end
  local scored, unranked, max_handled = {}, {}, 1
  for _, a in pairs(agents) do if a.handled > max_handled then max_handled = a.handled end end
  local need = min_ms * math.max(#weeks, 1)
  local ids = redis.call('SMEMBERS', prefix .. 'staff')
  table.sort(ids)
  for _, id in ipairs(ids) do
    if redis.call('HGET', prefix .. 'staff:' .. id, 'role') == 'agent' then
      local a = agents[id] or { handled = 0, responses = {}, rsum = 0, rn = 0 }
      if (hours[id] or 0) == 0 and (late[id] or 0) == 0 and (assigned[id] or 0) == 0 and a.handled == 0 and a.rn == 0 then
        unranked[#unranked + 1] = staff_name(prefix, id)
      else
        table.sort(a.responses)
        local att = need > 0 and math.min((hours[id] or 0) / need, 1) or 1
        local lat = 1 / (1 + (late[id] or 0))
        local com = a.handled / max_handled
        local med = pct(a.responses, 0.5)
        local res = med and (1 / (1 + med / 600000)) or 0      -- 10 minutes scores 0.5
        local rat = a.rn > 0 and (a.rsum / a.rn / 5) or 0
        local score = w[1] * att + w[2] * lat + w[3] * com + w[4] * res + w[5] * rat
        score = math.floor(score * 100 + 0.5) / 100             -- as shown: what looks equal is a tie
        scored[#scored + 1] = { id = id, score = score, line = string.format(
          '%s: %.2f (attendance %.2f, lateness %.2f, complaints %.2f, response %.2f, ratings %.2f)',
          staff_name(prefix, id), score, att, lat, com, res, rat) }
      end
    end
  end
  local out = { period = label, unranked = table.concat(unranked, ', ') }
  if #scored == 0 then
    out.kind = 'none'
    return { cjson.encode(out) }
  end
  table.sort(scored, function(x, y) if x.score ~= y.score then return x.score > y.score end return x.id < y.id end)
  local top, bottom = scored[1].score, scored[#scored].score
  local function lines(score, sep)
    local l = {}
    for _, s in ipairs(scored) do if score == nil or s.score == score then l[#l + 1] = s.line end end
    return table.concat(l, sep)
  end
  if #scored == 1 then
    out.kind, out.line = 'one', scored[1].line
  elseif top == bottom then
    out.kind, out.lines = 'tie', lines(nil, '\n')
  else
    out.kind, out.best, out.worst = 'ranked', lines(top, '; '), lines(bottom, '; ')
  end
  return { cjson.encode(out) }
end

local per_agent = {}
local ids = {}
for id in pairs(agents) do ids[#ids + 1] = id end
table.sort(ids)
for _, id in ipairs(ids) do
  local a = agents[id]
  table.sort(a.responses)
  per_agent[#per_agent + 1] = string.format('%s: %d handled, median response %s, rating %s', staff_name(prefix, id),
    a.handled, dur(pct(a.responses, 0.5)), a.rn > 0 and string.format('%.1f', a.rsum / a.rn) or '-')
end
local params = {
  period = label, opened = tostring(opened), resolved = tostring(resolved), open = tostring(still),
  median = dur(pct(responses, 0.5)), p90 = dur(pct(responses, 0.9)), breaches = tostring(breaches),
  topics = counts(by_topic), priorities = counts(by_prio),
  suggestions = tostring(redis.call('ZCOUNT', prefix .. 'suggestions', from, to)),
  emergencies = tostring(redis.call('ZCOUNT', prefix .. 'emergencies:created', from, to)),
  tech = tostring(redis.call('ZCOUNT', prefix .. 'tech:created', from, to)),
  hours = dur(total_hours), under = tostring(under),
  agents = (#per_agent > 0 and table.concat(per_agent, '\n')) or '-',
}
if op == 'post' then
  timer_done(prefix, ARGV[9])
  timer_set(prefix, ARGV[10], ARGV[11])
  notify_channel(prefix, 'ops', 'MSG_REPORT', params)
  return { 'posted' }
end
return { cjson.encode(params) }
