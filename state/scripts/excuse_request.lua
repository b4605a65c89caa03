-- excuse_request: !excuse <person> <week> <reason> -> approval X-n for a webmaster.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, person, week, reason, audit detail, stuck_after ms
-- returns {'ok', id} | {'no_such_person'} | {'uncompletable', step, who} | {'approved'|'failed', ...}
-- helpers: say, staff_name, approval_new
local prefix, now, actor, src, person, week, reason, detail =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
if redis.call('EXISTS', prefix .. 'staff:' .. person) == 0 then return { 'no_such_person' } end
local fields = { excused = person, week = week, reason_text = reason, digest = detail,
  summary = say('MSG_SUM_EXCUSE', { 'person', staff_name(prefix, person), 'week', week }) }
-- the person concerned decides nothing of it; their own request they may sign
if person ~= actor then fields.person = person end
local id, done = approval_new(prefix, now, src, 'X', 'excuse', actor, { 'role:webmaster' }, fields,
  'excuse.request', detail)
if done then return done end
return { 'ok', id }
