-- report: the figures of a day, week or month, and the month's evaluation.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, op ('read'|'post'|'evaluate'), from ms, to ms, period label,
--         weeks (space list), minimum weekly hours ms, the period's shift instances
--         ("date|shift" list), post: member, next member, next due;
--         evaluate: weights "a,l,c,r,q"
-- returns read/evaluate: {json}; post: {'posted'}
-- The words of the report's parameters are message names or spans
-- "\30MSG_X\31key\31value...\30" (catalog_said), said in the reader's language.
-- helpers: say, say_inner, decimal, word, words, notify_channel, staff_name, timer_set,
--   timer_done, att_key, spans_ms
local prefix, now, op, from, to, label = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local weeks, min_ms, instances = words(ARGV[7]), tonumber(ARGV[8]), words(ARGV[9])

local function dur(ms)
  if not ms then return '-' end
  ms = math.floor(ms / 1000)
  -- "6 min 45 s", "6 perc 45 mp": the units are the reader's
  if ms < 3600 then
    return say_inner('MSG_DURATION_MIN_SEC', { 'm', math.floor(ms / 60), 's', string.format('%02d', ms % 60) })
  end
  return say_inner('MSG_DURATION_H_MIN', { 'h', math.floor(ms / 3600), 'm', string.format('%02d', math.floor(ms % 3600 / 60)) })
end

local function pct(sorted, q)
  if #sorted == 0 then return nil end
  local i = math.ceil(q * #sorted)
  if i < 1 then i = 1 end
  return sorted[i]
end

-- "urgent 1, high 2" (most urgent first), each priority the reader's word
local function prio_counts(t)
  local out = {}
  for _, p in ipairs({ 'urgent', 'high', 'normal', 'low' }) do
    if t[p] then out[#out + 1] = word('PRIORITY', p) .. ' ' .. t[p] end
  end
  return (#out > 0 and table.concat(out, say_inner('MSG_LIST_SEP'))) or '-'
end

-- complaints filed in the period, and per agent what they handled in it
local opened, resolved, still, breaches, no_topic = 0, 0, 0, 0, 0
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
  if c[4] and c[4] ~= '' then by_topic[c[4]] = (by_topic[c[4]] or 0) + 1 else no_topic = no_topic + 1 end
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
if op == 'evaluate' then
  -- Only agents with data in the month are ranked (hours, lateness,
  -- complaints given to them or handled, ratings); equal scores are a tie, and
  -- a tie is never a best or a worst.  kind: none | one | tie | ranked.
  local w = {}
  for x in string.gmatch(ARGV[10], '[^,]+') do w[#w + 1] = tonumber(x) end
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
        local function f(x) return decimal(x, 2) end
        scored[#scored + 1] = { id = id, score = score, line = say('MSG_EVALUATION_LINE', {
          'name', staff_name(prefix, id), 'score', f(score), 'att', f(att), 'lat', f(lat), 'com', f(com),
          'res', f(res), 'rat', f(rat) }) }
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
    local sep = say('MSG_EVALUATION_SEP')
    out.kind, out.best, out.worst = 'ranked', lines(top, sep), lines(bottom, sep)
  end
  return { cjson.encode(out) }
end

-- hours worked on the period's shifts (real elapsed time; an open check-in up to now)
local worked = 0
for _, inst in ipairs(instances) do
  local date, shift = string.match(inst, '^([^|]+)|(.+)$')
  local att = redis.call('HGETALL', att_key(prefix, date, shift))
  local t = {}
  for i = 1, #att, 2 do t[att[i]] = att[i + 1] end
  for k, v in pairs(t) do
    if string.sub(k, -6) == ':spans' then worked = worked + spans_ms(v) end
    local id = string.match(k, '^(.+):in$')
    if id and not t[id .. ':out'] and tonumber(now) > tonumber(v) then worked = worked + tonumber(now) - tonumber(v) end
  end
end

-- the weekly minimum is judged only on a closed week (a week report after its close)
local week_line = ''
if #weeks == 1 and string.match(label, '^%d+%-W%d+$') and redis.call('EXISTS', prefix .. 'weekclosed:' .. label) == 1 then
  local under, excused = 0, 0
  for _, id in ipairs(redis.call('SMEMBERS', prefix .. 'staff')) do
    local role = redis.call('HGET', prefix .. 'staff:' .. id, 'role')
    if (role == 'agent' or role == 'vice_minister') and (hours[id] or 0) < min_ms then
      if redis.call('HEXISTS', prefix .. 'excused:' .. label, id) == 1 then excused = excused + 1 else under = under + 1 end
    end
  end
  week_line = say('MSG_REPORT_WEEK_UNDER', { 'min', string.format('%d', math.floor(min_ms / 3600000)),
    'under', under, 'excused', excused })
end

local function hm(ms)
  return string.format('%d:%02d', math.floor(ms / 3600000), math.floor(ms % 3600000 / 60000))
end

local per_agent = {}
local ids = {}
for id in pairs(agents) do ids[#ids + 1] = id end
table.sort(ids)
for _, id in ipairs(ids) do
  local a = agents[id]
  table.sort(a.responses)
  per_agent[#per_agent + 1] = say('MSG_REPORT_AGENT', { 'name', staff_name(prefix, id), 'n', a.handled,
    'median', #a.responses > 0 and dur(pct(a.responses, 0.5)) or 'MSG_REPORT_NO_RESPONSE',
    'rating', a.rn > 0 and decimal(a.rsum / a.rn, 1) or 'MSG_REPORT_NO_RATING' })
end
local topics = {}
do
  local keys = {}
  for k in pairs(by_topic) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do topics[#topics + 1] = string.gsub(k, '[\30\31]', ' ') .. ' ' .. by_topic[k] end
  if no_topic > 0 then topics[#topics + 1] = say('MSG_REPORT_NO_TOPIC', { 'n', no_topic }) end
end
local complaints = 'MSG_REPORT_NO_COMPLAINTS'
if opened > 0 then
  local kv = { 'opened', opened, 'resolved', resolved, 'open', still, 'breaches', breaches }
  if #responses > 0 then
    kv[#kv + 1], kv[#kv + 2], kv[#kv + 3], kv[#kv + 4] = 'median', dur(pct(responses, 0.5)), 'p90', dur(pct(responses, 0.9))
    complaints = say('MSG_REPORT_COMPLAINTS', kv)
  else
    complaints = say('MSG_REPORT_COMPLAINTS_NO_RESPONSE', kv)
  end
end
-- a day's shifts: the attendance check at the briefing and the close (briefing.lua,
-- shift_close.lua); it follows the agents' lines, so MSG_REPORT keeps its words
local shift_lines = {}
if string.match(label, '^%d+%-%d+%-%d+$') then
  for _, inst in ipairs(instances) do
    local date, shift = string.match(inst, '^([^|]+)|(.+)$')
    local b = redis.call('HMGET', prefix .. 'briefing:' .. date .. ':' .. shift, 'ts', 'present', 'missing', 'rostered')
    if b[1] then
      local present, missing = words(b[2]), {}
      for _, id in ipairs(words(b[3])) do missing[#missing + 1] = staff_name(prefix, id) end
      shift_lines[#shift_lines + 1] = #missing > 0
        and say('MSG_REPORT_BRIEFING_MISSING', { 'shift', shift, 'present', #present, 'rostered', b[4] or '0',
          'names', table.concat(missing, ', ') })
        or say('MSG_REPORT_BRIEFING', { 'shift', shift, 'present', #present, 'rostered', b[4] or '0' })
    end
    local c = redis.call('HMGET', prefix .. 'close:' .. date .. ':' .. shift, 'by', 'text', 'missing')
    if c[2] then
      shift_lines[#shift_lines + 1] = say('MSG_REPORT_CLOSE', { 'shift', shift, 'by', staff_name(prefix, c[1] or '?'),
        'text', c[2] })
    elseif c[3] then
      -- the lead was reminded and the minister on duty told (shift_close.lua)
      shift_lines[#shift_lines + 1] = say('MSG_REPORT_NO_CLOSE', { 'shift', shift, 'lead', staff_name(prefix, c[3]) })
    end
  end
end
local shifts_text = #shift_lines > 0 and (say('MSG_REPORT_SHIFTS') .. '\n' .. table.concat(shift_lines, '\n')) or ''

-- visits begun in the period: their own line under the complaints', when there were any
local v_opened, v_closed, v_still, v_resp = 0, 0, 0, {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', prefix .. 'visits:created', from, to)) do
  local v = redis.call('HMGET', prefix .. 'visit:' .. id, 'created', 'first_response', 'closed_at', 'state')
  v_opened = v_opened + 1
  if v[2] then v_resp[#v_resp + 1] = tonumber(v[2]) - tonumber(v[1]) end
  if v[3] and tonumber(v[3]) <= to then v_closed = v_closed + 1 end
  if v[4] ~= 'closed' then v_still = v_still + 1 end
end
if v_opened > 0 then
  table.sort(v_resp)
  local kv = { 'opened', v_opened, 'closed', v_closed, 'open', v_still }
  if #v_resp > 0 then kv[#kv + 1], kv[#kv + 2] = 'median', dur(pct(v_resp, 0.5)) end
  complaints = (complaints == 'MSG_REPORT_NO_COMPLAINTS' and say(complaints) or complaints) .. '\n'
    .. say(#v_resp > 0 and 'MSG_REPORT_VISITS' or 'MSG_REPORT_VISITS_NO_RESPONSE', kv)
end
local params = {
  period = label, complaints = complaints,
  -- the topic line only when something has a topic
  topics = (#topics > (no_topic > 0 and 1 or 0)) and (say('MSG_REPORT_TOPICS') .. table.concat(topics, ', ')) or '',
  priorities = opened > 0 and say('MSG_REPORT_PRIORITIES', { 'priorities', prio_counts(by_prio) }) or '',
  suggestions = tostring(redis.call('ZCOUNT', prefix .. 'suggestions', from, to)),
  emergencies = tostring(redis.call('ZCOUNT', prefix .. 'emergencies:created', from, to)),
  tech = tostring(redis.call('ZCOUNT', prefix .. 'tech:created', from, to)),
  hours = hm(worked), week = week_line,
  agents = (#per_agent > 0 and (say('MSG_REPORT_AGENTS') .. '\n' .. table.concat(per_agent, '\n')) or '') .. shifts_text,
}
if op == 'post' then
  timer_done(prefix, ARGV[10])
  timer_set(prefix, ARGV[11], ARGV[12])
  notify_channel(prefix, 'ops', 'MSG_REPORT', params)
  return { 'posted' }
end
return { cjson.encode(params) }
