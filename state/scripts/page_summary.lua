-- page_summary: the "pagesum|<id>" timer, due when a minute of a person's
-- pages is over: ONE page names the emergencies held back from them
-- (page_staff) that still wait for an acknowledgement; none left, nothing is
-- sent.  The summary counts in the person's window like any page; while the
-- window is still full (pages went meanwhile) it waits for its turn.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, member, staff id, pages per minute
-- returns {'waiting', due} | {'none'} | {'unreachable'} | {'summary', n}
-- helpers: audit, timer_set, timer_done, page_wait, page_send
local prefix, now, member, who = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local per_minute = tonumber(ARGV[5]) or 3
local due = page_wait(prefix, who, now, per_minute)
if due then
  timer_set(prefix, member, due)
  return { 'waiting', tostring(due) }
end
local held_key = prefix .. 'pages:held:' .. who
local open = {}
for _, eid in ipairs(redis.call('ZRANGE', held_key, 0, -1)) do
  local e = redis.call('HMGET', prefix .. 'emergency:' .. eid, 'state', 'acked_by')
  if e[1] == 'open' and not e[2] then open[#open + 1] = eid end
end
redis.call('DEL', held_key)
timer_done(prefix, member)
if #open == 0 then return { 'none' } end
table.sort(open, function(a, b) return tonumber(string.match(a, '%d+')) < tonumber(string.match(b, '%d+')) end)
local ids = table.concat(open, ', ')
if not page_send(prefix, who, now, 'MSG_EMERGENCY_PAGES_HELD', { n = tostring(#open), ids = ids }) then
  return { 'unreachable' }
end
audit(prefix, now, 'dutybot', 'emergency.page_summary', who, ids, 'timer')
return { 'summary', #open }
