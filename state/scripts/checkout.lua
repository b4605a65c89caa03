-- checkout: close the caller's open interval (a person is checked in to one
-- shift at a time); its real length goes to the hours of that shift's week.
-- Mode 'auto' is the timer at a shift's end: everyone still checked in to
-- that one instance is checked out at its end, marked automatic.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, mode 'hand'|'auto', timer member ('' for hand),
--         then the candidates "date|shift|week|end ms" (newest first)
-- returns hand: {'ok', date, shift, worked in that shift ms, week total ms}
--               | {'not_in', date, shift, out ms, 'A'|''} (the last check-out) | {'not_in'}
--         auto: {'auto', count}
-- helpers: audit, timer_done, att_key, spans_ms, close_span
local prefix, now, actor, src, mode, member = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local cands = {}
for i = 7, #ARGV do
  local date, shift, week, stop = string.match(ARGV[i], '^([^|]+)|([^|]+)|([^|]+)|([^|]+)$')
  cands[#cands + 1] = { date = date, shift = shift, week = week, stop = tonumber(stop) }
end

if mode == 'auto' then
  timer_done(prefix, member)
  local c = cands[1]
  if not c then return { 'auto', 0 } end
  local at = math.min(now, c.stop)
  local att = att_key(prefix, c.date, c.shift)
  local raw = redis.call('HGETALL', att)
  local n = 0
  for i = 1, #raw, 2 do
    local id = string.match(raw[i], '^(.+):in$')
    if id and close_span(prefix, c.date, c.shift, c.week, id, at, 'A') then
      n = n + 1
      audit(prefix, now, 'dutybot', 'shift.checkout', id, c.date .. ' ' .. c.shift .. ' automatic', src)
    end
  end
  return { 'auto', n }
end

for _, c in ipairs(cands) do
  local worked = close_span(prefix, c.date, c.shift, c.week, actor, now, '')
  if worked then
    local spans = redis.call('HGET', att_key(prefix, c.date, c.shift), actor .. ':spans')
    local total = redis.call('HGET', prefix .. 'hours:' .. c.week, actor) or '0'
    audit(prefix, now, actor, 'shift.checkout', actor, c.date .. ' ' .. c.shift, src)
    return { 'ok', c.date, c.shift, tostring(spans_ms(spans)), total }
  end
end
-- not checked in: say when and how the last check-out happened
local last = nil
for _, c in ipairs(cands) do
  local out = redis.call('HGET', att_key(prefix, c.date, c.shift), actor .. ':out')
  if out and (not last or tonumber(out) > tonumber(last[4])) then
    local spans = redis.call('HGET', att_key(prefix, c.date, c.shift), actor .. ':spans') or ''
    last = { 'not_in', c.date, c.shift, out, string.sub(spans, -1) == 'A' and 'A' or '' }
  end
end
return last or { 'not_in' }
