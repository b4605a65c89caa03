-- checkout: clock out of the shift the caller is checked in to; the real
-- time worked goes to the hours of that shift's week.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, then the candidates "date|shift|week"
-- returns {'ok', date, shift, worked ms, week total ms} | {'not_in'}
local prefix, now, actor, src = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
for i = 5, #ARGV do
  local date, shift, week = string.match(ARGV[i], '^([^|]+)|([^|]+)|([^|]+)$')
  local att = prefix .. 'att:' .. date .. ':' .. shift
  local r = redis.call('HMGET', att, actor .. ':in', actor .. ':out')
  if r[1] and not r[2] then
    local worked = tonumber(now) - tonumber(r[1])
    if worked < 0 then worked = 0 end
    redis.call('HSET', att, actor .. ':out', now)
    local total = redis.call('HINCRBY', prefix .. 'hours:' .. week, actor, worked)
    redis.call('HINCRBY', prefix .. 'staff:' .. actor, 'hours_total_ms', worked)
    redis.call('PEXPIRE', prefix .. 'hours:' .. week, 400 * 86400000)
    audit(prefix, now, actor, 'shift.checkout', actor, date .. ' ' .. shift, src)
    return { 'ok', date, shift, tostring(worked), tostring(total) }
  end
end
return { 'not_in' }
