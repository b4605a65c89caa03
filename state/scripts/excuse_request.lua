-- excuse_request: !excuse <person> <week> <reason> -> approval X-n for a webmaster.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, person, week, reason, summary
-- returns {'ok', id} | {'no_such_person'}
local prefix, now, actor, src, person, week, reason, summary =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
if redis.call('EXISTS', prefix .. 'staff:' .. person) == 0 then return { 'no_such_person' } end
local id = approval_new(prefix, now, 'X', 'excuse', actor, { 'role:webmaster' },
  { person = person, week = week, reason_text = reason, summary = summary })
audit(prefix, now, actor, 'excuse.request', id, summary, src)
local a = approval_fields(prefix, id)
a.step = 1
announce_step(prefix, a)
return { 'ok', id }
