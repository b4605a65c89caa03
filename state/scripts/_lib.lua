-- _lib: put in front of every script by the build.  Scripts never read the
-- clock: "now" (ms) and the actor come as arguments.
local function audit(prefix, now, actor, action, subject, detail, src)
  redis.call('XADD', prefix .. 'audit', 'MAXLEN', '~', '100000', '*',
    'ts', now, 'actor', actor, 'action', action, 'subject', subject or '',
    'detail', detail or '', 'src', src or '')
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

