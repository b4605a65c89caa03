-- leave_request: !leave <date|range> <reason> -> approval L-n for a minister or webmaster.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, dates (space list), shifts (space list), short notice 0|1,
--         reason, shift lengths ("name:ms ...", for the stand-in of a gap: APPLY.leave),
--         stuck_after ms
-- returns {'ok', id} | {'overlap', id} | {'uncompletable', step, who} | {'approved'|'failed', ...}
-- helpers: say, words, has, staff_name, date_span, approval_new
local prefix, now, actor, src, dates, shifts, late, reason, shift_ms =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
for _, id in ipairs(redis.call('ZRANGE', prefix .. 'approvals:open', 0, -1)) do
  local a = redis.call('HMGET', prefix .. 'approval:' .. id, 'type', 'requester', 'dates')
  if a[1] == 'leave' and a[2] == actor then
    for _, d in ipairs(words(dates)) do
      if has(a[3], d) then return { 'overlap', id } end
    end
  end
end
-- asked later than policy.leave_notice: the deciders read it in their language
local summary = say('MSG_SUM_LEAVE', { 'person', staff_name(prefix, actor), 'dates', date_span(dates) })
local id, done = approval_new(prefix, now, src, 'L', 'leave', actor, { 'role:minister' },
  { dates = dates, shifts = shifts, shift_ms = shift_ms, late = late, reason_text = reason, summary = summary,
    digest = 'leave ' .. actor .. ' ' .. date_span(dates),
    evidence = late == '1' and 'MSG_LEAVE_SHORT_NOTICE' or '' }, 'leave.request', 'leave ' .. actor .. ' ' .. date_span(dates))
if done then return done end
return { 'ok', id }
