-- _lib: put in front of every script by the build.  Scripts never read the
-- clock: "now" (ms) and the actor come as arguments.
local function audit(prefix, now, actor, action, subject, detail, src)
  redis.call('XADD', prefix .. 'audit', 'MAXLEN', '~', '100000', '*',
    'ts', now, 'actor', actor, 'action', action, 'subject', subject or '',
    'detail', detail or '', 'src', src or '')
end

-- Words said in each reader's language: a span "\30MSG\31key\31value...\30"
-- that the catalog fills wherever it is shown (catalog_said), so one stored
-- summary reads "Urlaub für Tom Berger [TRN]: 2026-12-10" to Tom and
-- "leave for Tom Berger [TRN]: 2026-12-10" to Mark.  KV = {key, value, ...}.
local function say(msg, kv)
  local t = { '\30' .. msg }
  for i = 1, #(kv or {}) do t[#t + 1] = (string.gsub(tostring(kv[i] or ''), '[\30\31]', ' ')) end
  return table.concat(t, '\31') .. '\30'
end

-- The same as an inner span "\28MSG\29key\29value...\28": one that may stand
-- in a value of a span of say() (a priority in a report's line), or alone.
local function say_inner(msg, kv)
  local t = { '\28' .. msg }
  for i = 1, #(kv or {}) do t[#t + 1] = (string.gsub(tostring(kv[i] or ''), '[\28\29\30\31]', ' ')) end
  return table.concat(t, '\29') .. '\28'
end

-- X with DIGITS decimals as the reader writes it ("0.85" / "0,85"): MSG_DECIMAL.
local function decimal(x, digits)
  local i, f = string.match(string.format('%.' .. digits .. 'f', x), '^(-?%d+)%.(%d+)$')
  return say_inner('MSG_DECIMAL', { 'i', i, 'f', f })
end

-- A keyword of the state as the reader's word: a priority ("high") or a
-- complaint's state ("open") is MSG_<KIND>_<KEYWORD> (one per keyword in
-- po/dutybot.pot), so "C-2 open normal" reads "C-2 offen normal" to Tom.
local function word(kind, v)
  if not v or v == '' then return '-' end
  return say_inner('MSG_' .. kind .. '_' .. string.upper(v))
end

-- A hash as a Lua table; nil when the key does not exist.
local function hash_table(key)
  local raw = redis.call('HGETALL', key)
  if #raw == 0 then return nil end
  local t = {}
  for i = 1, #raw, 2 do t[raw[i]] = raw[i + 1] end
  return t
end

local function words(s)
  local t = {}
  for w in string.gmatch(s or '', '%S+') do t[#t + 1] = w end
  return t
end

local function without(list, item)
  local t = {}
  for _, w in ipairs(words(list)) do if w ~= item then t[#t + 1] = w end end
  return table.concat(t, ' ')
end

local function has(list, item)
  for _, w in ipairs(words(list)) do if w == item then return true end end
  return false
end

local ROLE_RANK = { friend = 0, agent = 1, vice_minister = 2, minister = 3, webmaster = 4 }

-- May an actor of rank ACTOR manage someone of role TARGET?  Webmasters may
-- manage anyone; everyone else only people below them.
local function may_manage(actor, target)
  actor = tonumber(actor)
  return actor >= 4 or (ROLE_RANK[target] or 1) < actor
end

local function webmaster_count(prefix)
  local n = 0
  for _, id in ipairs(redis.call('SMEMBERS', prefix .. 'staff')) do
    if redis.call('HGET', prefix .. 'staff:' .. id, 'role') == 'webmaster' then n = n + 1 end
  end
  return n
end

-- Messages that must arrive go to the durable outbox stream; bot/deliver.c
-- formats them (catalog id MSG, PARAMS of strings) in each reader's language
-- and removes an entry only after every platform acknowledged it.  The
-- stream is never trimmed: a trim could drop what is not delivered yet.
local function notify_channel(prefix, channel, msg, params)
  redis.call('XADD', prefix .. 'outbox', '*',
    'to', 'channel:' .. channel, 'msg', msg, 'params', cjson.encode(params or {}))
end

-- Returns false when the person cannot be reached (no record, no identity).
local function notify_staff(prefix, id, msg, params)
  local r = redis.call('HMGET', prefix .. 'staff:' .. id, 'identities', 'lang')
  if not r[1] or r[1] == '' then return false end
  redis.call('XADD', prefix .. 'outbox', '*',
    'to', 'staff:' .. id, 'idents', r[1], 'lang', r[2] or '', 'msg', msg,
    'params', cjson.encode(params or {}))
  return true
end

local function staff_with_role(prefix, role)
  local out = {}
  for _, id in ipairs(redis.call('SMEMBERS', prefix .. 'staff')) do
    if redis.call('HGET', prefix .. 'staff:' .. id, 'role') == role then out[#out + 1] = id end
  end
  table.sort(out)
  return out
end

local function staff_name(prefix, id)
  local r = redis.call('HMGET', prefix .. 'staff:' .. id, 'name', 'level')
  if not r[1] then return id end
  if r[2] and r[2] ~= '' then return r[1] .. ' [' .. r[2] .. ']' end
  return r[1]
end

-- Durable timers: one sorted set scored by due time; fire scripts remove
-- their member when done (or move it to the next due time).
local function timer_set(prefix, member, due)
  redis.call('ZADD', prefix .. 'timers', due, member)
end

local function timer_done(prefix, member)
  redis.call('ZREM', prefix .. 'timers', member)
end


-- Pages are limited per person (escalation.pages_per_minute, shared by every
-- daemon: the window is here).  "pages:<id>" holds the pages of the last
-- minute; the time a page may go again, or nil when one may go now.
local function page_wait(prefix, id, now, limit)
  local win = prefix .. 'pages:' .. id
  redis.call('ZREMRANGEBYSCORE', win, '-inf', now - 60000)
  if redis.call('ZCARD', win) < limit then return nil end
  return tonumber(redis.call('ZRANGE', win, 0, 0, 'WITHSCORES')[2]) + 60000
end

-- A page that goes now, counted in the person's window; false when the
-- person cannot be reached.
local function page_send(prefix, id, now, msg, params)
  local r = redis.call('HMGET', prefix .. 'staff:' .. id, 'identities', 'lang')
  if not r[1] or r[1] == '' then return false end
  local sent = redis.call('XADD', prefix .. 'outbox', '*',
    'to', 'staff:' .. id, 'idents', r[1], 'lang', r[2] or '', 'msg', msg,
    'params', cjson.encode(params or {}))
  redis.call('ZADD', prefix .. 'pages:' .. id, now, sent)
  redis.call('PEXPIRE', prefix .. 'pages:' .. id, 61000)
  return true
end

-- A page of emergency EID: sent, or over the limit held in "pages:held:<id>"
-- (never dropped) for the one summary the "pagesum|<id>" timer sends when
-- the minute is over (page_summary.lua).  False when the person cannot be
-- reached, else 'sent' or 'held'.
local function page_staff(prefix, id, now, limit, eid, msg, params)
  local r = redis.call('HGET', prefix .. 'staff:' .. id, 'identities')
  if not r or r == '' then return false end
  local due = page_wait(prefix, id, now, limit)
  if not due then
    page_send(prefix, id, now, msg, params)
    return 'sent'
  end
  redis.call('ZADD', prefix .. 'pages:held:' .. id, 'NX', now, eid)
  if not redis.call('ZSCORE', prefix .. 'timers', 'pagesum|' .. id) then
    timer_set(prefix, 'pagesum|' .. id, due)
  end
  return 'held'
end
