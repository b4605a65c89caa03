-- overdue_check: what the auditor (bot/durable/overdue.c) looks at each
-- minute: due timers nobody has claimed, and the oldest outbox entry not yet
-- delivered (pending in the senders' group, or not even read by one).
-- KEYS[1] the timers set, KEYS[2] the outbox stream
-- ARGV    now, overdue bound ms, the senders' group
-- returns {timers due before now - bound (count), the oldest due score or '',
--          the oldest pending entry id or '', the first unread entry id or ''}
-- (entry ids are Redis's own milliseconds: the caller ages them by the wall
-- clock, never by a fake one)
-- helpers: none
local now, bound = tonumber(ARGV[1]), tonumber(ARGV[2])
local n = redis.call('ZCOUNT', KEYS[1], '-inf', now - bound)
local oldest = ''
if n > 0 then
  oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] or ''
end
local pending, unread = '', ''
if redis.call('EXISTS', KEYS[2]) == 1 then
  local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[2])
  if ok then
    for _, g in ipairs(groups) do
      local f = {}
      for i = 1, #g, 2 do f[g[i]] = g[i + 1] end
      if f['name'] == ARGV[3] then
        local p = redis.call('XPENDING', KEYS[2], ARGV[3])
        if p[2] then pending = p[2] end
        local nxt = redis.call('XRANGE', KEYS[2], '(' .. f['last-delivered-id'], '+', 'COUNT', 1)
        if nxt[1] then unread = nxt[1][1] end
      end
    end
  else
    local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
    if first[1] then unread = first[1][1] end
  end
end
return { n, oldest, pending, unread }
