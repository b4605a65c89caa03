-- leave_request: !leave <date|range> <reason> -> approval L-n for a minister or webmaster.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, dates (space list), shifts (space list), late 0|1, reason, summary
-- returns {'ok', id} | {'overlap', id}
local prefix, now, actor, src, dates, shifts, late, reason, summary =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
for _, id in ipairs(redis.call('ZRANGE', prefix .. 'approvals:open', 0, -1)) do
  local a = redis.call('HMGET', prefix .. 'approval:' .. id, 'type', 'requester', 'dates')
  if a[1] == 'leave' and a[2] == actor then
    for _, d in ipairs(words(dates)) do
      if has(a[3], d) then return { 'overlap', id } end
    end
  end
end
local id = approval_new(prefix, now, 'L', 'leave', actor, { 'role:minister' },
  { dates = dates, shifts = shifts, late = late, reason_text = reason, summary = summary })
audit(prefix, now, actor, 'leave.request', id, summary, src)
local a = approval_fields(prefix, id)
a.step = 1
announce_step(prefix, a)
return { 'ok', id }
